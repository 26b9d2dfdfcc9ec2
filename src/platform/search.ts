/**
 * Diacritics-insensitive matching for Vietnamese: "khai sinh" finds "Đăng ký khai sinh". Text is folded
 * (decomposed, combining marks removed, đ → d, lower case, spaces collapsed) when stored and when
 * searched, so one helper serves both SQLite and PostgreSQL without extensions.
 */
export function foldVietnamese(text: string): string {
  return stripDiacritics(text)
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Vietnamese text without its marks, case kept ("Hồ sơ Đăng ký" → "Ho so Dang ky"): for SMS, file names. */
export function stripDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

/** A LIKE pattern matching folded text that contains every word of the query, in order. */
export function likePattern(query: string): string | null {
  const words = foldVietnamese(query)
    .replace(/[%_\\]/g, ' ')
    .split(' ')
    .filter(Boolean);
  return words.length ? `%${words.join('%')}%` : null;
}
