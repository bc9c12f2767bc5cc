// The `omadm-gateway` command. Subcommands are wired in as the modules land.
console.log('omadm-gateway: the server is not wired yet (see issues 3 and 5).');
