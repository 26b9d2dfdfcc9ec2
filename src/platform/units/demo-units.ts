import type { UnitKind, UnitLevel } from './repository.ts';

/**
 * Demo administrative units: tỉnh Phú Thọ after the 1 July 2025 two-tier reform with the four pilot
 * localities of commune digital transformation, and the pre-reform units they came from (tỉnh Vĩnh
 * Phúc, its districts and old communes) as ended units linked to their successors.
 *
 * What is real: the province names and the 2-digit province codes (Phú Thọ 25, Vĩnh Phúc 26, Hòa Bình 17),
 * the pilot localities and their old districts (Hướng Đạo — Tam Dương, Lãng Công — Sông Lô, Thổ Tang —
 * Vĩnh Tường, Tam Đảo — Tam Đảo), Hướng Đạo's 14 villages (count), the merger of Vĩnh Phúc and Hòa Bình
 * into Phú Thọ (Resolution 202/2025/QH15) and Thổ Tang's merger with two neighbours.
 * ILLUSTRATIVE (not verified against the official lists): every 5-digit commune code, every 3-digit
 * district code, the village names, the names of Thổ Tang's and Tam Đảo's merged neighbours, and the
 * number of the Standing Committee resolution on Phú Thọ's communes. Replace them from Decision
 * 19/2025/QĐ-TTg's annex before real use.
 */
export interface DemoUnit {
  id: string;
  code: string;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  parent: string | null;
  validFrom: string;
  validTo?: string;
  legalBasis?: string;
}

export interface DemoSuccession {
  predecessor: string;
  successor: string;
  date: string;
  legalBasis: string;
}

const REFORM = '2025-07-01';
const PROVINCE_BASIS = 'Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội về sắp xếp đơn vị hành chính cấp tỉnh';
// Illustrative number: the Standing Committee resolution arranging Phú Thọ's commune-level units.
const COMMUNE_BASIS = 'Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp các đơn vị hành chính cấp xã của tỉnh Phú Thọ năm 2025';

const village = (commune: string, n: number, name: string, kind: UnitKind = 'village'): DemoUnit => ({
  id: `u-${commune}-${String(n).padStart(2, '0')}`,
  code: `${commune}-${String(n).padStart(2, '0')}`,
  name,
  kind,
  level: 'village',
  parent: `u-${commune}`,
  validFrom: '2000-01-01',
});

const commune = (code: string, name: string, kind: UnitKind, parent: string, validFrom = REFORM, validTo?: string): DemoUnit => ({
  id: `u-${code}`,
  code,
  name,
  kind,
  level: 'commune',
  parent,
  validFrom,
  ...(validTo ? { validTo } : {}),
  legalBasis: validTo ? undefined : COMMUNE_BASIS,
});

// Hướng Đạo has 14 villages (one community digital-technology team each); names are illustrative.
const HUONG_DAO_VILLAGES = [
  'Thôn Đồng Bùa',
  'Thôn Gò Dài',
  'Thôn Đồng Giang',
  'Thôn Đồng Tâm',
  'Thôn Núi Đinh',
  'Thôn Sơn Đồng',
  'Thôn Đồng Thị',
  'Thôn Hướng Đạo',
  'Thôn Đồng Hội',
  'Thôn Cầu Đá',
  'Thôn Gò Vải',
  'Thôn Đồng Bông',
  'Thôn Vĩnh Thành',
  'Thôn Tân Phú',
];

export const DEMO_UNITS: DemoUnit[] = [
  // Provinces. Phú Thọ continues (code 25); Vĩnh Phúc and Hòa Bình ended on 1 July 2025.
  { id: 'u-25', code: '25', name: 'Tỉnh Phú Thọ', kind: 'province', level: 'province', parent: null, validFrom: '1997-01-01', legalBasis: PROVINCE_BASIS },
  { id: 'u-26', code: '26', name: 'Tỉnh Vĩnh Phúc', kind: 'province', level: 'province', parent: null, validFrom: '1997-01-01', validTo: REFORM },
  { id: 'u-17', code: '17', name: 'Tỉnh Hòa Bình', kind: 'province', level: 'province', parent: null, validFrom: '1991-10-01', validTo: REFORM },
  // Old districts of Vĩnh Phúc (the district level ended on 1 July 2025); codes illustrative.
  { id: 'u-248', code: '248', name: 'Huyện Tam Dương', kind: 'district', level: 'district', parent: 'u-26', validFrom: '1997-01-01', validTo: REFORM },
  { id: 'u-253', code: '253', name: 'Huyện Sông Lô', kind: 'district', level: 'district', parent: 'u-26', validFrom: '2009-04-01', validTo: REFORM },
  { id: 'u-252', code: '252', name: 'Huyện Vĩnh Tường', kind: 'district', level: 'district', parent: 'u-26', validFrom: '1997-01-01', validTo: REFORM },
  { id: 'u-249', code: '249', name: 'Huyện Tam Đảo', kind: 'district', level: 'district', parent: 'u-26', validFrom: '2003-12-09', validTo: REFORM },
  // Old communes (ended), codes illustrative.
  commune('08890', 'Xã Hướng Đạo', 'commune', 'u-248', '1997-01-01', REFORM),
  commune('09010', 'Xã Lãng Công', 'commune', 'u-253', '1997-01-01', REFORM),
  commune('09100', 'Thị trấn Thổ Tang', 'township', 'u-252', '1997-01-01', REFORM),
  commune('09101', 'Xã Thượng Trưng', 'commune', 'u-252', '1997-01-01', REFORM),
  commune('09102', 'Xã Tân Tiến', 'commune', 'u-252', '1997-01-01', REFORM),
  commune('08950', 'Thị trấn Tam Đảo', 'township', 'u-249', '1997-01-01', REFORM),
  commune('08951', 'Xã Hồ Sơn', 'commune', 'u-249', '1997-01-01', REFORM),
  // Commune-level units of Phú Thọ since 1 July 2025 (codes illustrative).
  commune('25201', 'Xã Hướng Đạo', 'commune', 'u-25'),
  commune('25202', 'Xã Lãng Công', 'commune', 'u-25'),
  commune('25203', 'Xã Thổ Tang', 'commune', 'u-25'),
  commune('25204', 'Xã Tam Đảo', 'commune', 'u-25'),
  // Villages (thôn / tổ dân phố), names illustrative. They stay the same units through the reform.
  ...HUONG_DAO_VILLAGES.map((name, i) => village('25201', i + 1, name)),
  village('25202', 1, 'Thôn Thượng'),
  village('25202', 2, 'Thôn Hạ'),
  village('25202', 3, 'Thôn Đồng Tâm'),
  village('25202', 4, 'Thôn Tân Lập'),
  village('25203', 1, 'Tổ dân phố Thổ Tang 1', 'residential_group'),
  village('25203', 2, 'Tổ dân phố Thổ Tang 2', 'residential_group'),
  village('25203', 3, 'Thôn Thượng Trưng'),
  village('25203', 4, 'Thôn Tân Tiến'),
  village('25204', 1, 'Tổ dân phố 1', 'residential_group'),
  village('25204', 2, 'Tổ dân phố 2', 'residential_group'),
  village('25204', 3, 'Thôn Hồ Sơn'),
];

export const DEMO_SUCCESSIONS: DemoSuccession[] = [
  { predecessor: 'u-26', successor: 'u-25', date: REFORM, legalBasis: PROVINCE_BASIS },
  { predecessor: 'u-17', successor: 'u-25', date: REFORM, legalBasis: PROVINCE_BASIS },
  { predecessor: 'u-08890', successor: 'u-25201', date: REFORM, legalBasis: COMMUNE_BASIS },
  { predecessor: 'u-09010', successor: 'u-25202', date: REFORM, legalBasis: COMMUNE_BASIS },
  { predecessor: 'u-09100', successor: 'u-25203', date: REFORM, legalBasis: COMMUNE_BASIS },
  { predecessor: 'u-09101', successor: 'u-25203', date: REFORM, legalBasis: COMMUNE_BASIS },
  { predecessor: 'u-09102', successor: 'u-25203', date: REFORM, legalBasis: COMMUNE_BASIS },
  { predecessor: 'u-08950', successor: 'u-25204', date: REFORM, legalBasis: COMMUNE_BASIS },
  { predecessor: 'u-08951', successor: 'u-25204', date: REFORM, legalBasis: COMMUNE_BASIS },
];
