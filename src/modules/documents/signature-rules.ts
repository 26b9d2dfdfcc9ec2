/**
 * How digital signatures and the seal appear on an electronic document (Decree 30/2020/NĐ-CP, Appendix
 * I, part II), as data: the signer plugged in behind `PdfSigner` must place them so. The platform's
 * local test signer makes an invisible signature (no picture) — enough to exercise and verify the
 * flow, not to present a document to the public.
 */
export const SIGNATURE_RULES = [
  {
    who: 'Người có thẩm quyền',
    position: 'Tại vị trí ký của người có thẩm quyền',
    image: 'Hình ảnh chữ ký của người có thẩm quyền trên văn bản giấy, màu xanh, định dạng Portable Network Graphics (.png) nền trong suốt',
    information: 'Họ và tên, cơ quan/tổ chức, thời gian ký — trong thông tin của chữ ký số, không hiện trên văn bản',
  },
  {
    who: 'Cơ quan, tổ chức',
    position: 'Trùm lên khoảng 1/3 hình ảnh chữ ký số của người có thẩm quyền về phía bên trái',
    image: 'Hình ảnh dấu của cơ quan, tổ chức ban hành văn bản, màu đỏ, kích thước bằng kích thước thực tế của dấu, định dạng .png nền trong suốt',
    information: 'Tên cơ quan, tổ chức ban hành văn bản; thời gian ký (ngày tháng năm; giờ phút giây; múi giờ Việt Nam theo ISO 8601)',
  },
  {
    who: 'Văn bản kèm theo cùng tệp',
    position: 'Không ký lại; không thực hiện ký số của người có thẩm quyền',
    image: 'Cơ quan ký số vào văn bản kèm theo: không hiện hình ảnh dấu',
    information: 'Góc trên, bên phải trang đầu: số và ký hiệu văn bản, thời gian ký (ngày tháng năm; giờ phút giây; múi giờ), phông Times New Roman, chữ đứng, cỡ 10, màu đen',
  },
  {
    who: 'Văn bản kèm theo không cùng tệp',
    position: 'Cơ quan, tổ chức ký số vào từng tệp kèm theo',
    image: 'Không hiện hình ảnh',
    information: 'Như văn bản kèm theo cùng tệp',
  },
] as const;
