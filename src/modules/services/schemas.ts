import { z } from 'zod';

/** Channels of filing (DOMAIN.md §2): 1 in person, 2 online, 3 public postal service. */
export const CHANNELS = ['in_person', 'online', 'postal'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_CODE: Record<Channel, number> = { in_person: 1, online: 2, postal: 3 };

export const feeSchema = z.object({
  /** free; fixed amount; per page/copy; set by the provincial council (amount filled in per province). */
  kind: z.enum(['free', 'fixed', 'per_unit', 'province']),
  amount: z.number().int().nonnegative().nullable(),
  note: z.string().max(500).default(''),
  /** per_unit: the form field holding the number of units (copies, pages); 1 when absent. */
  unitField: z.string().regex(/^[a-z][a-z0-9_]*$/).optional(),
  /** per_unit: a lower price from a given unit on (e.g. from the third page), and a cap per dossier. */
  tiers: z.array(z.object({ fromUnit: z.number().int().min(2), amount: z.number().int().nonnegative() })).optional(),
  max: z.number().int().positive().optional(),
});
export type Fee = z.infer<typeof feeSchema>;

/** The fee of a filing from the channel's fee and the form's values (null: the desk sets it). Pure. */
export function computeFee(fee: Fee, values: Readonly<Record<string, string>>): number | null {
  if (fee.kind === 'free') return 0;
  if (fee.amount === null) return null;
  if (fee.kind !== 'per_unit') return fee.amount;
  const raw = fee.unitField ? Number(values[fee.unitField]) : 1;
  const units = Number.isInteger(raw) && raw > 0 ? Math.min(raw, 10_000) : 1;
  let total = 0;
  for (let u = 1; u <= units; u++) {
    const tier = (fee.tiers ?? []).filter((x) => u >= x.fromUnit).sort((a, b) => b.fromUnit - a.fromUnit)[0];
    total += tier ? tier.amount : fee.amount;
  }
  return fee.max ? Math.min(total, fee.max) : total;
}

export const channelSchema = z.object({
  channel: z.enum(CHANNELS),
  /** Time limit in working days; 0 = the same day. */
  days: z.number().int().min(0).max(365),
  fee: feeSchema,
});

/** One field of a procedure's online form, defined as data. */
export const formFieldSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string().min(1).max(200),
  type: z.enum(['text', 'textarea', 'date', 'number', 'select', 'personal_number', 'phone', 'email']),
  required: z.boolean().default(false),
  options: z.array(z.string().min(1)).optional(),
  maxLength: z.number().int().positive().max(5000).optional(),
  hint: z.string().max(300).optional(),
  /** Prefilled from the signed-in citizen's e-ID profile. */
  prefill: z.enum(['name', 'personal_number', 'birth_date', 'address', 'phone', 'email']).optional(),
});
export type FormField = z.infer<typeof formFieldSchema>;

export const paperSchema = z.object({
  name: z.string().min(1).max(300),
  /** original (bản chính), copy (bản sao), or either (bản chính hoặc bản sao). */
  kind: z.enum(['original', 'copy', 'original_or_copy']),
  count: z.number().int().positive().default(1),
  /** Form template to download, if any (e.g. a Ministry of Justice form). */
  template: z.string().max(300).optional(),
});

/** A procedure of the catalogue, as imported and exported (JSON). */
export const procedureSchema = z.object({
  code: z.string().regex(/^\d\.\d{6}$/, 'Mã thủ tục có dạng 1.001193'),
  name: z.string().min(3).max(300),
  sector: z.string().min(1).max(120),
  agency: z.string().min(1).max(200),
  channels: z.array(channelSchema).min(1),
  papers: z.array(paperSchema),
  conditions: z.string().max(4000).default(''),
  steps: z.array(z.string().min(1).max(1000)).min(1),
  legalBasis: z.array(z.string().min(1).max(300)).min(1),
  resultType: z.string().min(1).max(300),
  fullyOnline: z.boolean(),
  /** Received after 15:00 counts from the next working day (civil status, certification). */
  cutoff1500: z.boolean().default(false),
  form: z.array(formFieldSchema).min(1),
});
export type Procedure = z.infer<typeof procedureSchema>;
export const catalogueSchema = z.array(procedureSchema);
/** A procedure as written (defaults not yet applied), e.g. in the built-in catalogue. */
export type ProcedureInput = z.input<typeof procedureSchema>;
