import type { FormField, ProcedureInput as Procedure } from '../schemas.ts';

/**
 * The starting catalogue: the twelve commune procedures of DOMAIN.md §2 with their national codes,
 * time limits and fees. Figures marked [assumed] there are kept as such; a province administrator
 * edits the catalogue (or imports a corrected JSON) to match the provincial council's resolutions.
 */
const CIVIL_STATUS = 'Hộ tịch';
const CERTIFICATION = 'Chứng thực';
const AGENCY = 'Ủy ban nhân dân cấp xã';
const HOTICH_LAW = ['Luật Hộ tịch số 60/2014/QH13', 'Nghị định số 123/2015/NĐ-CP'];
const CHUNGTHUC_LAW = ['Nghị định số 23/2015/NĐ-CP', 'Thông tư số 226/2016/TT-BTC'];
const FREE = { kind: 'free', amount: 0, note: '' } as const;
const BY_PROVINCE = { kind: 'province', amount: null, note: 'Theo Nghị quyết của Hội đồng nhân dân tỉnh' } as const;

const applicant: FormField[] = [
  { name: 'applicant_name', label: 'Họ và tên người yêu cầu', type: 'text', required: true, maxLength: 100, prefill: 'name' },
  { name: 'applicant_id', label: 'Số định danh cá nhân', type: 'personal_number', required: true, prefill: 'personal_number' },
  { name: 'applicant_address', label: 'Nơi cư trú', type: 'text', required: true, maxLength: 300, prefill: 'address' },
  { name: 'applicant_phone', label: 'Số điện thoại', type: 'phone', required: true, prefill: 'phone' },
  { name: 'applicant_email', label: 'Thư điện tử', type: 'email', required: false, prefill: 'email' },
];
const relationship: FormField = { name: 'relationship', label: 'Quan hệ với người được đăng ký', type: 'text', required: true, maxLength: 60 };
const person = (prefix: string, who: string): FormField[] => [
  { name: `${prefix}_name`, label: `Họ và tên ${who}`, type: 'text', required: true, maxLength: 100 },
  { name: `${prefix}_birth_date`, label: `Ngày sinh ${who}`, type: 'date', required: true },
];
const steps = (days: string) => [
  'Người yêu cầu nộp hồ sơ trực tuyến hoặc tại Trung tâm Phục vụ hành chính công cấp xã.',
  'Công chức tiếp nhận kiểm tra hồ sơ; hồ sơ đầy đủ thì cấp giấy tiếp nhận và hẹn trả kết quả.',
  `Công chức chuyên môn giải quyết, trình lãnh đạo Ủy ban nhân dân cấp xã ký (${days}).`,
  'Trả kết quả tại Trung tâm hoặc trực tuyến.',
];
const both = (days: number, fee: Procedure['channels'][number]['fee'], onlineFee = fee): Procedure['channels'] => [
  { channel: 'in_person', days, fee },
  { channel: 'online', days, fee: onlineFee },
  { channel: 'postal', days, fee },
];

export const DEFAULT_PROCEDURES: Procedure[] = [
  {
    code: '1.001193',
    name: 'Đăng ký khai sinh',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(0, { kind: 'free', amount: 0, note: 'Miễn lệ phí khi đăng ký đúng hạn' }),
    papers: [
      { name: 'Tờ khai đăng ký khai sinh', kind: 'original', count: 1, template: 'Mẫu tờ khai theo Thông tư của Bộ Tư pháp' },
      { name: 'Giấy chứng sinh hoặc giấy tờ thay thế', kind: 'original', count: 1 },
    ],
    conditions: 'Người đi đăng ký là cha, mẹ hoặc người thân thích của trẻ, trong thời hạn 60 ngày kể từ ngày sinh.',
    steps: steps('ngay trong ngày; sau 15 giờ thì trả trong ngày làm việc tiếp theo'),
    legalBasis: HOTICH_LAW,
    resultType: 'Giấy khai sinh (bản chính), trích lục khai sinh (bản sao) nếu có yêu cầu',
    fullyOnline: true,
    cutoff1500: true,
    form: [
      ...applicant,
      relationship,
      ...person('child', 'trẻ'),
      { name: 'child_sex', label: 'Giới tính của trẻ', type: 'select', required: true, options: ['Nam', 'Nữ'] },
      { name: 'birth_place', label: 'Nơi sinh', type: 'text', required: true, maxLength: 200 },
      { name: 'mother_name', label: 'Họ và tên mẹ', type: 'text', required: true, maxLength: 100 },
      { name: 'father_name', label: 'Họ và tên cha', type: 'text', required: false, maxLength: 100 },
    ],
  },
  {
    code: '1.000894',
    name: 'Đăng ký kết hôn',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(0, FREE),
    papers: [
      { name: 'Tờ khai đăng ký kết hôn', kind: 'original', count: 1 },
      { name: 'Giấy xác nhận tình trạng hôn nhân (nếu đăng ký ở nơi không thường trú)', kind: 'original', count: 1 },
    ],
    conditions: 'Hai bên nam nữ đủ tuổi kết hôn, tự nguyện, không thuộc trường hợp cấm kết hôn. Hai bên có mặt khi đăng ký.',
    steps: steps('ngay trong ngày; tối đa 5 ngày làm việc nếu cần xác minh'),
    legalBasis: HOTICH_LAW,
    resultType: 'Giấy chứng nhận kết hôn',
    fullyOnline: false,
    cutoff1500: true,
    form: [...applicant, ...person('partner', 'bên kia'), { name: 'partner_id', label: 'Số định danh cá nhân của bên kia', type: 'personal_number', required: true }],
  },
  {
    code: '1.000656',
    name: 'Đăng ký khai tử',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(0, { kind: 'free', amount: 0, note: 'Miễn lệ phí khi đăng ký trong 15 ngày kể từ ngày chết' }),
    papers: [
      { name: 'Tờ khai đăng ký khai tử', kind: 'original', count: 1 },
      { name: 'Giấy báo tử hoặc giấy tờ thay thế', kind: 'original_or_copy', count: 1 },
    ],
    conditions: 'Người thân thích của người chết đăng ký trong thời hạn 15 ngày kể từ ngày chết.',
    steps: steps('ngay trong ngày; sau 15 giờ thì trả trong ngày làm việc tiếp theo'),
    legalBasis: HOTICH_LAW,
    resultType: 'Trích lục khai tử',
    fullyOnline: true,
    cutoff1500: true,
    form: [
      ...applicant,
      relationship,
      { name: 'deceased_name', label: 'Họ và tên người chết', type: 'text', required: true, maxLength: 100 },
      { name: 'deceased_id', label: 'Số định danh cá nhân của người chết', type: 'personal_number', required: false },
      { name: 'death_date', label: 'Ngày chết', type: 'date', required: true },
      { name: 'death_place', label: 'Nơi chết', type: 'text', required: true, maxLength: 200 },
    ],
  },
  {
    code: '1.004873',
    name: 'Cấp Giấy xác nhận tình trạng hôn nhân',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(3, BY_PROVINCE),
    papers: [{ name: 'Tờ khai cấp Giấy xác nhận tình trạng hôn nhân', kind: 'original', count: 1 }],
    conditions: '',
    steps: steps('3 ngày làm việc'),
    legalBasis: HOTICH_LAW,
    resultType: 'Giấy xác nhận tình trạng hôn nhân',
    fullyOnline: true,
    form: [
      ...applicant,
      { name: 'purpose', label: 'Mục đích sử dụng', type: 'select', required: true, options: ['Đăng ký kết hôn', 'Mua bán, chuyển nhượng tài sản', 'Mục đích khác'] },
      { name: 'marital_status', label: 'Tình trạng hôn nhân hiện tại', type: 'select', required: true, options: ['Chưa đăng ký kết hôn', 'Đã ly hôn', 'Vợ/chồng đã chết', 'Đang có vợ/chồng'] },
    ],
  },
  {
    code: '1.001022',
    name: 'Đăng ký nhận cha, mẹ, con',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(3, BY_PROVINCE),
    papers: [
      { name: 'Tờ khai đăng ký nhận cha, mẹ, con', kind: 'original', count: 1 },
      { name: 'Chứng cứ chứng minh quan hệ cha, mẹ, con', kind: 'original_or_copy', count: 1 },
    ],
    conditions: 'Các bên còn sống, không có tranh chấp. Nếu cần xác minh, thời hạn kéo dài thêm 5 ngày làm việc.',
    steps: steps('3 ngày làm việc; thêm 5 ngày làm việc nếu cần xác minh'),
    legalBasis: HOTICH_LAW,
    resultType: 'Trích lục đăng ký nhận cha, mẹ, con',
    fullyOnline: false,
    form: [...applicant, ...person('counterpart', 'người được nhận'), relationship],
  },
  {
    code: '1.004859',
    name: 'Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(3, BY_PROVINCE),
    papers: [
      { name: 'Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch', kind: 'original', count: 1 },
      { name: 'Giấy tờ làm căn cứ thay đổi, cải chính', kind: 'original_or_copy', count: 1 },
    ],
    conditions: '',
    steps: steps('3 ngày làm việc'),
    legalBasis: HOTICH_LAW,
    resultType: 'Trích lục thay đổi, cải chính hộ tịch',
    fullyOnline: true,
    form: [
      ...applicant,
      { name: 'record_kind', label: 'Loại giấy tờ hộ tịch cần thay đổi', type: 'select', required: true, options: ['Giấy khai sinh', 'Giấy chứng nhận kết hôn', 'Trích lục khai tử', 'Khác'] },
      { name: 'change', label: 'Nội dung đề nghị thay đổi, cải chính', type: 'textarea', required: true, maxLength: 2000 },
    ],
  },
  {
    code: '1.004884',
    name: 'Đăng ký lại khai sinh',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(5, BY_PROVINCE),
    papers: [
      { name: 'Tờ khai đăng ký lại khai sinh', kind: 'original', count: 1 },
      { name: 'Bản sao giấy khai sinh cũ hoặc giấy tờ có thông tin khai sinh', kind: 'copy', count: 1 },
    ],
    conditions: 'Việc khai sinh đã được đăng ký nhưng sổ hộ tịch và bản chính giấy khai sinh đều bị mất.',
    steps: steps('5 ngày làm việc'),
    legalBasis: HOTICH_LAW,
    resultType: 'Giấy khai sinh (đăng ký lại)',
    fullyOnline: false,
    form: [...applicant, ...person('registered', 'người được đăng ký lại'), { name: 'old_registration', label: 'Nơi đã đăng ký khai sinh trước đây', type: 'text', required: true, maxLength: 200 }],
  },
  {
    code: '1.004837',
    name: 'Đăng ký giám hộ',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(3, FREE),
    papers: [
      { name: 'Tờ khai đăng ký giám hộ', kind: 'original', count: 1 },
      { name: 'Văn bản cử người giám hộ', kind: 'original', count: 1 },
    ],
    conditions: '',
    steps: steps('3 ngày làm việc'),
    legalBasis: HOTICH_LAW,
    resultType: 'Trích lục đăng ký giám hộ',
    fullyOnline: false,
    form: [...applicant, ...person('ward', 'người được giám hộ'), { name: 'reason', label: 'Lý do giám hộ', type: 'textarea', required: true, maxLength: 1000 }],
  },
  {
    code: '2.000635',
    name: 'Cấp bản sao trích lục hộ tịch',
    sector: CIVIL_STATUS,
    agency: AGENCY,
    channels: both(0, { kind: 'per_unit', amount: 8000, note: '8.000 đồng/bản sao', unitField: 'copies' }),
    papers: [{ name: 'Tờ khai cấp bản sao trích lục hộ tịch', kind: 'original', count: 1 }],
    conditions: '',
    steps: steps('ngay trong ngày'),
    legalBasis: HOTICH_LAW,
    resultType: 'Bản sao trích lục hộ tịch',
    fullyOnline: true,
    form: [
      ...applicant,
      { name: 'record_kind', label: 'Loại trích lục', type: 'select', required: true, options: ['Khai sinh', 'Kết hôn', 'Khai tử', 'Khác'] },
      { name: 'copies', label: 'Số bản sao', type: 'number', required: true },
    ],
  },
  {
    code: '2.000815',
    name: 'Chứng thực bản sao từ bản chính',
    sector: CERTIFICATION,
    agency: AGENCY,
    channels: [
      { channel: 'in_person', days: 0, fee: { kind: 'per_unit', amount: 2000, note: '2.000 đồng/trang; từ trang thứ ba 1.000 đồng/trang; tối đa 200.000 đồng/bản', unitField: 'pages', tiers: [{ fromUnit: 3, amount: 1000 }], max: 200000 } },
    ],
    papers: [
      { name: 'Bản chính giấy tờ cần chứng thực', kind: 'original', count: 1 },
      { name: 'Bản sao cần chứng thực', kind: 'copy', count: 1 },
    ],
    conditions: 'Người yêu cầu xuất trình bản chính.',
    steps: steps('ngay trong ngày; sau 15 giờ thì trả trong ngày làm việc tiếp theo'),
    legalBasis: CHUNGTHUC_LAW,
    resultType: 'Bản sao được chứng thực từ bản chính',
    fullyOnline: false,
    cutoff1500: true,
    form: [...applicant, { name: 'document', label: 'Tên giấy tờ cần chứng thực', type: 'text', required: true, maxLength: 200 }, { name: 'pages', label: 'Số trang', type: 'number', required: true }],
  },
  {
    code: '2.000884',
    name: 'Chứng thực chữ ký trong giấy tờ, văn bản',
    sector: CERTIFICATION,
    agency: AGENCY,
    channels: [{ channel: 'in_person', days: 0, fee: { kind: 'fixed', amount: 10000, note: '10.000 đồng/trường hợp' } }],
    papers: [
      { name: 'Giấy tờ tùy thân của người yêu cầu', kind: 'original', count: 1 },
      { name: 'Giấy tờ, văn bản cần chứng thực chữ ký', kind: 'original', count: 1 },
    ],
    conditions: 'Người yêu cầu ký trước mặt người thực hiện chứng thực.',
    steps: steps('ngay trong ngày; sau 15 giờ thì trả trong ngày làm việc tiếp theo'),
    legalBasis: CHUNGTHUC_LAW,
    resultType: 'Giấy tờ, văn bản được chứng thực chữ ký',
    fullyOnline: false,
    cutoff1500: true,
    form: [...applicant, { name: 'document', label: 'Tên giấy tờ, văn bản', type: 'text', required: true, maxLength: 200 }],
  },
  {
    code: '1.001612',
    name: 'Đăng ký thành lập hộ kinh doanh',
    sector: 'Thành lập và hoạt động của hộ kinh doanh',
    agency: AGENCY,
    channels: both(3, BY_PROVINCE, { kind: 'free', amount: 0, note: 'Miễn lệ phí khi đăng ký qua mạng' }),
    papers: [
      { name: 'Giấy đề nghị đăng ký hộ kinh doanh', kind: 'original', count: 1 },
      { name: 'Biên bản họp thành viên hộ gia đình (nếu các thành viên cùng đăng ký)', kind: 'copy', count: 1 },
    ],
    conditions: 'Tên hộ kinh doanh không trùng trong phạm vi tỉnh; ngành nghề không bị cấm.',
    steps: steps('3 ngày làm việc'),
    legalBasis: ['Luật Doanh nghiệp số 59/2020/QH14', 'Nghị định số 01/2021/NĐ-CP'],
    resultType: 'Giấy chứng nhận đăng ký hộ kinh doanh',
    fullyOnline: true,
    form: [
      ...applicant,
      { name: 'business_name', label: 'Tên hộ kinh doanh', type: 'text', required: true, maxLength: 200 },
      { name: 'business_address', label: 'Địa chỉ kinh doanh', type: 'text', required: true, maxLength: 300 },
      { name: 'business_lines', label: 'Ngành, nghề kinh doanh', type: 'textarea', required: true, maxLength: 2000 },
      { name: 'capital', label: 'Vốn kinh doanh (đồng)', type: 'number', required: true },
    ],
  },
];
