import type { FormField } from './schemas.ts';

/** The applicant a demo dossier is filed for (the fields every procedure's form starts with). */
export interface DemoApplicant {
  name: string;
  idNumber: string;
  address: string;
  phone: string;
}

const SURNAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đỗ', 'Bùi', 'Đặng', 'Ngô'];
const GIVEN = ['Văn An', 'Thị Bình', 'Văn Cường', 'Thị Dung', 'Văn Đức', 'Thị Hà', 'Minh Khôi', 'Thu Lan', 'Quốc Minh', 'Thị Ngọc', 'Văn Phúc', 'Thị Quyên'];
const WOMEN = GIVEN.filter((g) => g.startsWith('Thị') || g === 'Thu Lan');

/** Texts by field name: what citizens of a commune typically write there. */
const TEXTS: Record<string, readonly string[]> = {
  relationship: ['Cha', 'Mẹ', 'Ông nội', 'Bà ngoại'],
  birth_place: ['Trạm Y tế xã', 'Bệnh viện Đa khoa tỉnh Phú Thọ', 'Trung tâm Y tế khu vực Lập Thạch'],
  death_place: ['Tại nhà riêng', 'Bệnh viện Đa khoa tỉnh Phú Thọ'],
  change: ['Cải chính ngày sinh trong giấy khai sinh cho đúng với hồ sơ gốc', 'Bổ sung thông tin về quê quán', 'Cải chính tên đệm theo giấy tờ tùy thân'],
  old_registration: ['Ủy ban nhân dân xã Hướng Đạo, huyện Tam Dương (cũ)', 'Ủy ban nhân dân xã Thổ Tang, huyện Vĩnh Tường (cũ)'],
  reason: ['Cha mẹ đều đã mất, người được giám hộ chưa thành niên', 'Người được giám hộ mất năng lực hành vi dân sự theo quyết định của Tòa án'],
  document: ['Bằng tốt nghiệp trung học phổ thông', 'Giấy khai sinh', 'Giấy chứng nhận quyền sử dụng đất', 'Hợp đồng ủy quyền'],
  business_name: ['Hộ kinh doanh Tạp hóa Minh Anh', 'Hộ kinh doanh Chè Tam Đảo', 'Hộ kinh doanh Sửa chữa xe máy Hùng Cường'],
  business_lines: ['Bán lẻ hàng tạp hóa', 'Chế biến và bán chè búp khô', 'Sửa chữa xe máy, bán phụ tùng'],
};
/** Whole numbers by field name (as typed). */
const NUMBERS: Record<string, readonly string[]> = {
  copies: ['1', '2', '3'],
  pages: ['1', '2', '4'],
  capital: ['50000000', '100000000', '300000000'],
};

const DAY = 86400_000;

/**
 * What a demo dossier's form says: every field of its procedure's form filled as a citizen would
 * (a newborn's birth date days before the filing, a death date shortly before it, an adult's birth
 * date decades before, choices from the field's own list), so that each demo dossier passes the
 * same validation as a real one. By field name where the name says more than the type; otherwise by
 * type. Deterministic: `random` is the seed's generator.
 */
export function demoFormValues(fields: readonly FormField[], applicant: DemoApplicant, submitted: Date, random: () => number): Record<string, string> {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const date = (msBefore: number) => new Date(submitted.getTime() - msBefore).toISOString().slice(0, 10);
  const person = (women = false) => `${pick(SURNAMES)} ${pick(women ? WOMEN : GIVEN)}`;
  const personalNumber = () => `0250${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
  const values: Record<string, string> = {};
  for (const f of fields) {
    const v = valueOf(f);
    if (v !== undefined) values[f.name] = f.maxLength ? v.slice(0, f.maxLength) : v;
  }
  return values;

  function valueOf(f: FormField): string | undefined {
    switch (f.name) {
      case 'applicant_name':
        return applicant.name;
      case 'applicant_id':
        return applicant.idNumber;
      case 'applicant_address':
      case 'business_address':
        return applicant.address;
      case 'applicant_phone':
        return applicant.phone;
      case 'applicant_email':
        return undefined;
      case 'mother_name':
        return person(true);
      case 'child_birth_date':
        // Registered within the legal 60 days after the birth.
        return date((2 + Math.floor(random() * 50)) * DAY);
      case 'death_date':
        return date((1 + Math.floor(random() * 14)) * DAY);
    }
    if (TEXTS[f.name]) return pick(TEXTS[f.name]!);
    if (NUMBERS[f.name]) return pick(NUMBERS[f.name]!);
    if (f.name.endsWith('_name')) return person();
    switch (f.type) {
      case 'select':
        return f.options?.length ? pick(f.options) : undefined;
      case 'date':
        // Someone's birth date: an adult's, or a child's for a ward.
        return date((f.name.startsWith('ward') ? 6 + random() * 10 : 20 + random() * 50) * 365.25 * DAY);
      case 'personal_number':
        return personalNumber();
      case 'number':
        return '1';
      case 'phone':
        return applicant.phone;
      case 'email':
        return undefined;
      case 'text':
      case 'textarea':
        // A text the seed has no sample for: left empty if it may be, else a neutral answer.
        return f.required ? 'Theo giấy tờ kèm theo' : undefined;
    }
  }
}

export { SURNAMES as DEMO_SURNAMES, GIVEN as DEMO_GIVEN };
