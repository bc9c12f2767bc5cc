/**
 * Tag code pages of the SyncML WBXML languages.
 *
 * Token values: OMA-TS-SyncML_RepPro-V1_2 (WBXML code page 0, "SyncML"), OMA-TS-SyncML_MetaInfo-V1_2 (code page 1,
 * "MetInf"), OMA-TS-DS_DevInf-V1_2 (DevInf, its own document, code page 0). OMA-TS-DM_RepPro-V1_2 reuses the first two
 * for DM; Microsoft's "WBXML and OMA DM" states "The SyncML XML tokens are defined in code page 0. The Meta attribute
 * tokens are defined in code page 1." Cross-checked entry by entry against libwbxml src/wbxml_tables.c
 * (sv_syncml_syncml12_tag_table, sv_syncml_devinf12_tag_table). SyncML 1.1 uses the same values and lacks the 1.2
 * additions (0x35–0x3C on page 0, FieldLevel on page 1); one table serves both, which only makes the decoder accept
 * 1.2 tokens in a 1.1 document.
 *
 * Each list starts at token 0x05 (0x00–0x04 are global tokens); `null` marks a reserved value.
 */
const SYNCML_PAGE: readonly (string | null)[] = [
  'Add', 'Alert', 'Archive', 'Atomic', 'Chal', 'Cmd', 'CmdID', 'CmdRef', 'Copy', 'Cred', 'Data', // 0x05–0x0F
  'Delete', 'Exec', 'Final', 'Get', 'Item', 'Lang', 'LocName', 'LocURI', 'Map', 'MapItem', 'Meta', // 0x10–0x1A
  'MsgID', 'MsgRef', 'NoResp', 'NoResults', 'Put', 'Replace', 'RespURI', 'Results', 'Search', // 0x1B–0x23
  'Sequence', 'SessionID', 'SftDel', 'Source', 'SourceRef', 'Status', 'Sync', 'SyncBody', 'SyncHdr', // 0x24–0x2C
  'SyncML', 'Target', 'TargetRef', null, 'VerDTD', 'VerProto', 'NumberOfChanges', 'MoreData', // 0x2D–0x34
  'Field', 'Filter', 'Record', 'FilterType', 'SourceParent', 'TargetParent', 'Move', 'Correlator', // 0x35–0x3C
];

const METINF_PAGE: readonly (string | null)[] = [
  'Anchor', 'EMI', 'Format', 'FreeID', 'FreeMem', 'Last', 'Mark', 'MaxMsgSize', 'Mem', 'MetInf', 'Next', // 0x05–0x0F
  'NextNonce', 'SharedMem', 'Size', 'Type', 'Version', 'MaxObjSize', 'FieldLevel', // 0x10–0x16
];

const DEVINF_PAGE: readonly (string | null)[] = [
  'CTCap', 'CTType', 'DataStore', 'DataType', 'DevID', 'DevInf', 'DevTyp', 'DisplayName', 'DSMem', 'Ext', 'FwV', // 0x05–0x0F
  'HwV', 'Man', 'MaxGUIDSize', 'MaxID', 'MaxMem', 'Mod', 'OEM', 'ParamName', 'PropName', 'Rx', 'Rx-Pref', // 0x10–0x1A
  'SharedMem', 'MaxSize', 'SourceRef', 'SwV', 'SyncCap', 'SyncType', 'Tx', 'Tx-Pref', 'ValEnum', 'VerCT', // 0x1B–0x24
  'VerDTD', 'XNam', 'XVal', 'UTC', 'SupportNumberOfChanges', 'SupportLargeObjs', 'Property', 'PropParam', // 0x25–0x2C
  'MaxOccur', 'NoTruncate', null, 'Filter-Rx', 'FilterCap', 'FilterKeyword', 'FieldLevel', // 0x2D–0x33
  'SupportHierarchicalSync', // 0x34
];

const FIRST_TAG_TOKEN = 0x05;

export interface CodePage {
  readonly page: number;
  /** XML namespace the page stands for; written as xmlns when rendering nested markup. */
  readonly namespace: string;
  /** Tag name of a token, or undefined when the token has no meaning on this page. */
  nameOf(token: number): string | undefined;
  /** Token of a tag name, or undefined. */
  tokenOf(name: string): number | undefined;
}

/** A WBXML language: the code pages a document type may switch between. */
export interface WbxmlLanguage {
  readonly name: string;
  page(page: number): CodePage | undefined;
}

function codePage(page: number, namespace: string, names: readonly (string | null)[]): CodePage {
  const byToken = new Map<number, string>();
  const byName = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === null) return;
    byToken.set(FIRST_TAG_TOKEN + i, name);
    byName.set(name, FIRST_TAG_TOKEN + i);
  });
  return {
    page,
    namespace,
    nameOf: (token) => byToken.get(token),
    tokenOf: (name) => byName.get(name),
  };
}

function language(name: string, pages: readonly CodePage[]): WbxmlLanguage {
  const byNumber = new Map(pages.map((p) => [p.page, p]));
  return { name, page: (n) => byNumber.get(n) };
}

export const SYNCML_PAGE_NUMBER = 0;
export const METINF_PAGE_NUMBER = 1;

export const SYNCML_1_2_LANGUAGE = language('SyncML 1.2', [
  codePage(SYNCML_PAGE_NUMBER, 'SYNCML:SYNCML1.2', SYNCML_PAGE),
  codePage(METINF_PAGE_NUMBER, 'syncml:metinf', METINF_PAGE),
]);

export const SYNCML_1_1_LANGUAGE = language('SyncML 1.1', [
  codePage(SYNCML_PAGE_NUMBER, 'SYNCML:SYNCML1.1', SYNCML_PAGE),
  codePage(METINF_PAGE_NUMBER, 'syncml:metinf', METINF_PAGE),
]);

/** DevInf travels as its own WBXML document inside an OPAQUE Data (Meta Type application/vnd.syncml-devinf+wbxml). */
export const DEVINF_LANGUAGE = language('DevInf', [codePage(0, 'syncml:devinf', DEVINF_PAGE)]);
