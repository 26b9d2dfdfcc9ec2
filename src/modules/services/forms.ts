import { z } from 'zod';
import type { FieldError } from '../../platform/errors.ts';
import { zodErrorMap, type Lang } from '../../platform/i18n/index.ts';
import type { FormField } from './schemas.ts';

/** The profile a signed-in citizen brings from the national e-ID, used to prefill forms. */
export interface CitizenProfile {
  name: string;
  personal_number: string | null;
  birth_date: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
}

const isRealDate = (v: string) => {
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

/** The zod schema of one field, from its definition (messages in the user's language via the error map). */
function fieldSchema(f: FormField, lang: Lang): z.ZodType {
  const vi = lang === 'vi';
  const text = z.string().trim();
  let s: z.ZodType;
  switch (f.type) {
    case 'personal_number':
      s = text.regex(/^\d{12}$/, vi ? 'phải gồm đúng 12 chữ số' : 'must be exactly 12 digits');
      break;
    case 'phone':
      s = text.regex(/^(0|\+84)\d{9}$/, vi ? 'không đúng dạng số điện thoại (ví dụ 0912345678)' : 'is not a phone number (e.g. 0912345678)');
      break;
    case 'email':
      s = z.email(vi ? 'không đúng dạng thư điện tử' : 'is not an email address');
      break;
    case 'date':
      s = text.regex(/^\d{4}-\d{2}-\d{2}$/, vi ? 'phải là ngày (năm-tháng-ngày)' : 'must be a date (year-month-day)').refine(isRealDate, vi ? 'không phải ngày có thật' : 'is not a real date');
      break;
    case 'number':
      s = text.regex(/^\d{1,15}$/, vi ? 'phải là số nguyên không âm' : 'must be a whole number');
      break;
    case 'select':
      s = z.enum((f.options ?? []) as [string, ...string[]], { error: vi ? 'hãy chọn một giá trị trong danh sách' : 'choose one of the listed values' });
      break;
    case 'text':
    case 'textarea':
      s = text.max(f.maxLength ?? 500);
  }
  if (f.required) return z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string({ error: vi ? 'chưa nhập' : 'is required' }).min(1, vi ? 'chưa nhập' : 'is required').pipe(s as z.ZodType<unknown, string>));
  // Optional fields: an empty value is stored as absent.
  return z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), s.optional());
}

/**
 * Validates submitted values against a procedure's form. Each error names the field by its label;
 * only the form's own fields are kept.
 */
const schemaCache = new WeakMap<readonly FormField[], Partial<Record<Lang, z.ZodType>>>();

/** The zod schema of a form, built once per form definition and language. */
function formSchema(fields: readonly FormField[], lang: Lang): z.ZodType {
  let byLang = schemaCache.get(fields);
  if (!byLang) schemaCache.set(fields, (byLang = {}));
  return (byLang[lang] ??= z.object(Object.fromEntries(fields.map((f) => [f.name, fieldSchema(f, lang)]))));
}

export function validateForm(fields: readonly FormField[], input: Record<string, unknown>, lang: Lang):
  | { ok: true; data: Record<string, string> }
  | { ok: false; errors: FieldError[] } {
  const result = formSchema(fields, lang).safeParse(input, { error: zodErrorMap(lang) });
  if (result.success) {
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.data as Record<string, unknown>)) if (typeof v === 'string') data[k] = v;
    return { ok: true, data };
  }
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const name = String(issue.path[0]);
    if (seen.has(name)) continue;
    seen.add(name);
    const label = fields.find((f) => f.name === name)?.label ?? name;
    errors.push({ field: name, message: `${label}: ${issue.message}` });
  }
  return { ok: false, errors };
}

/** Initial values of a form for a citizen: the e-ID profile where a field asks for it. */
export function prefill(fields: readonly FormField[], profile: CitizenProfile | null): Record<string, string> {
  const values: Record<string, string> = {};
  if (!profile) return values;
  for (const f of fields) {
    const v = f.prefill ? profile[f.prefill] : null;
    if (v) values[f.name] = v;
  }
  return values;
}
