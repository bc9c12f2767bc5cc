/**
 * WBXML global tokens and header constants (WAP-192-WBXML-20010725-A §5 and §7.1).
 * Global tokens mean the same thing in every code page; everything else in the tag code space is a tag token
 * whose low six bits name the tag within the current code page (0x05–0x3F), bit 6 (0x40) says the element has
 * content and bit 7 (0x80) says it has attributes (§5.8.2).
 */
export const Token = {
  SWITCH_PAGE: 0x00,
  END: 0x01,
  ENTITY: 0x02,
  STR_I: 0x03,
  LITERAL: 0x04,
  EXT_I_0: 0x40,
  EXT_I_1: 0x41,
  EXT_I_2: 0x42,
  PI: 0x43,
  LITERAL_C: 0x44,
  EXT_T_0: 0x80,
  EXT_T_1: 0x81,
  EXT_T_2: 0x82,
  STR_T: 0x83,
  LITERAL_A: 0x84,
  EXT_0: 0xc0,
  EXT_1: 0xc1,
  EXT_2: 0xc2,
  OPAQUE: 0xc3,
  LITERAL_AC: 0xc4,
} as const;

export const TAG_HAS_CONTENT = 0x40;
export const TAG_HAS_ATTRIBUTES = 0x80;
export const TAG_ID_MASK = 0x3f;
/** Attribute-space tokens at or above this value are attribute-value tokens (§5.8.3). */
export const ATTR_VALUE_TOKEN_MIN = 0x80;

/** WBXML version byte: major-1 in the high nibble, minor in the low one (§5.4). 0x03 is WBXML 1.3. */
export const WBXML_VERSION_1_0 = 0x00;
export const WBXML_VERSION_1_3 = 0x03;

/** IANA MIBenum of UTF-8 (§5.6; IANA character-sets registry). */
export const CHARSET_UTF8 = 106;

/**
 * Public identifiers (§5.5). 0x00: the identifier is a string in the string table; 0x01: unknown.
 * The SyncML numbers are registered by OMNA ("WBXML Public Document IDs") and match libwbxml's
 * src/wbxml_tables.h (WBXML_PUBLIC_ID_SYNCML_*): SyncML 1.0 0x0FD1, DevInf 1.0 0x0FD2, SyncML 1.1 0x0FD3,
 * DevInf 1.1 0x0FD4, SyncML 1.2 0x1201, MetInf 1.2 0x1202, DevInf 1.2 0x1203. OMA DM 1.1.2 uses the SyncML 1.1
 * identifier and OMA DM 1.2 the SyncML 1.2 one ("the public identifier differs between the WBXML for these two
 * protocol versions", Microsoft "WBXML and OMA DM", Windows Mobile 6.5 docs; OMA-TS-DM_RepPro-V1_2 §7 uses the
 * SyncML RepPro and MetInf code pages).
 */
export const PublicId = {
  STRING_TABLE: 0x00,
  UNKNOWN: 0x01,
  SYNCML_1_0: 0x0fd1,
  DEVINF_1_0: 0x0fd2,
  SYNCML_1_1: 0x0fd3,
  DEVINF_1_1: 0x0fd4,
  SYNCML_1_2: 0x1201,
  METINF_1_2: 0x1202,
  DEVINF_1_2: 0x1203,
} as const;

/** The formal public identifiers, for documents that name theirs through the string table. */
export const FormalPublicId: Readonly<Record<string, number>> = {
  '-//SYNCML//DTD SyncML 1.0//EN': PublicId.SYNCML_1_0,
  '-//SYNCML//DTD SyncML 1.1//EN': PublicId.SYNCML_1_1,
  '-//SYNCML//DTD SyncML 1.2//EN': PublicId.SYNCML_1_2,
  '-//SYNCML//DTD DevInf 1.0//EN': PublicId.DEVINF_1_0,
  '-//SYNCML//DTD DevInf 1.1//EN': PublicId.DEVINF_1_1,
  '-//SYNCML//DTD DevInf 1.2//EN': PublicId.DEVINF_1_2,
};
