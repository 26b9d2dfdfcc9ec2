import type { Translate, MessageKey } from '../i18n/index.ts';
import type { Column } from '../ui/components.tsx';
import type { Unit } from './repository.ts';

/** The catalogue key of a unit kind's name (xã, phường, thôn…). */
export const kindLabel = (kind: string) => `units.kind.${kind}` as MessageKey;

/** Code, linked name and kind: the columns every list of units starts with. */
export const unitColumns = (t: Translate): Column<Unit>[] => [
  { label: t('units.code'), cell: (u) => u.code },
  { label: t('units.name'), cell: (u) => <a href={`/admin/units/${u.id}`}>{u.name}</a> },
  { label: t('units.kind'), cell: (u) => t(kindLabel(u.kind)) },
];
