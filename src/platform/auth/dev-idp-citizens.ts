/**
 * Test citizens of the development identity provider, which plays the national e-ID (VNeID through the
 * public-service portal's SSO) in demo mode. All of them are fictional: the 12-digit personal numbers
 * follow the national pattern (3-digit province-of-birth code 026 = former Vĩnh Phúc, 1 digit of century
 * and sex, 2 of birth year, 6 random) but belong to nobody.
 */
export interface TestCitizen {
  sub: string;
  SoDinhDanh: string;
  HoVaTen: string;
  NgayThangNamSinh: string;
  ThuongTru: string;
  SoDienThoai: string;
  ThuDienTu: string | null;
}

export const TEST_CITIZENS: readonly TestCitizen[] = [
  {
    sub: 'dev-citizen-1',
    SoDinhDanh: '026188004512',
    HoVaTen: 'Nguyễn Thị Hoa',
    NgayThangNamSinh: '1988-03-14',
    ThuongTru: 'Thôn Đồng Bùa, xã Hướng Đạo, tỉnh Phú Thọ',
    SoDienThoai: '0912345601',
    ThuDienTu: 'hoa.nguyen@example.vn',
  },
  {
    sub: 'dev-citizen-2',
    SoDinhDanh: '026075003318',
    HoVaTen: 'Trần Văn Đức',
    NgayThangNamSinh: '1975-11-02',
    ThuongTru: 'Thôn Gò Dài, xã Hướng Đạo, tỉnh Phú Thọ',
    SoDienThoai: '0987654302',
    ThuDienTu: null,
  },
  {
    sub: 'dev-citizen-3',
    SoDinhDanh: '026199007741',
    HoVaTen: 'Lê Minh Phương',
    NgayThangNamSinh: '1999-07-21',
    ThuongTru: 'Thôn Thượng, xã Lãng Công, tỉnh Phú Thọ',
    SoDienThoai: '0901234503',
    ThuDienTu: 'phuong.le@example.vn',
  },
];
