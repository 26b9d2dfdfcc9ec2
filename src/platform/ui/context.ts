import type { Actor } from '../auth/access.ts';
import type { Lang, Translate } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/index.ts';

/** Where a link appears: the commune portal, the officials' back office, or the province view. */
export type Shell = 'portal' | 'admin' | 'province';

export interface NavLink {
  href: string;
  label: MessageKey;
  /** The menu's label, when the link sits in a menu. */
  group?: MessageKey;
}

/** Everything a page needs from the request, built once per request by the HTTP layer. */
export interface PageContext {
  lang: Lang;
  t: Translate;
  actor: Actor | null;
  csrfToken: string;
  path: string;
  requestId: string;
  /** Navigation of each shell, already filtered to what the actor may open. */
  nav: Record<Shell, NavLink[]>;
  flash: MessageKey | null;
}
