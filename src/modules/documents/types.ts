/**
 * The 29 kinds of administrative documents of Decree 30/2020/NĐ-CP (Appendix III) with their fixed
 * abbreviations, as data. An official letter (công văn) has none: its symbol is the issuer's and the
 * drafting unit's (`12/UBND-VX`).
 */
export const DOC_TYPES = [
  { code: 'decision', abbreviation: 'QĐ' },
  { code: 'resolution', abbreviation: 'NQ' },
  { code: 'directive', abbreviation: 'CT' },
  { code: 'regulation', abbreviation: 'QC' },
  { code: 'rule', abbreviation: 'QyĐ' },
  { code: 'communique', abbreviation: 'TC' },
  { code: 'notice', abbreviation: 'TB' },
  { code: 'guidance', abbreviation: 'HD' },
  { code: 'programme', abbreviation: 'CTr' },
  { code: 'plan', abbreviation: 'KH' },
  { code: 'option', abbreviation: 'PA' },
  { code: 'scheme', abbreviation: 'ĐA' },
  { code: 'project', abbreviation: 'DA' },
  { code: 'report', abbreviation: 'BC' },
  { code: 'minutes', abbreviation: 'BB' },
  { code: 'submission', abbreviation: 'TTr' },
  { code: 'contract', abbreviation: 'HĐ' },
  { code: 'dispatch_telegram', abbreviation: 'CĐ' },
  { code: 'memorandum', abbreviation: 'BGN' },
  { code: 'agreement', abbreviation: 'BTT' },
  { code: 'power_of_attorney', abbreviation: 'GUQ' },
  { code: 'invitation', abbreviation: 'GM' },
  { code: 'introduction_letter', abbreviation: 'GGT' },
  { code: 'leave_permit', abbreviation: 'GNP' },
  { code: 'dispatch_slip', abbreviation: 'PG' },
  { code: 'transfer_slip', abbreviation: 'PC' },
  { code: 'notice_slip', abbreviation: 'PB' },
  { code: 'public_letter', abbreviation: 'TCG' },
  { code: 'official_letter', abbreviation: '' },
] as const;
export type DocTypeCode = (typeof DOC_TYPES)[number]['code'];
export const docTypeByCode = (code: string) => DOC_TYPES.find((t) => t.code === code);

/** Urgency (Decree 30: Hỏa tốc, Thượng khẩn, Khẩn — handled at once) and secrecy, as data. */
export const URGENCIES = ['normal', 'urgent', 'very_urgent', 'flash'] as const;
export const SECRECY = ['normal', 'confidential', 'secret', 'top_secret'] as const;
