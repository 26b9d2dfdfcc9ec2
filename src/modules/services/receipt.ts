import { newPdf, pdfBytes, qrPng } from '../../platform/pdf/document.ts';
import { formatDate, formatDateTime } from '../../platform/i18n/index.ts';
import type { Procedure } from './schemas.ts';
import type { Selectable } from 'kysely';
import type { DossierTable } from './schema.ts';

/** Form 01: receipt of the dossier and appointment to return the result, with a QR code of its code. */
export async function receiptPdf(input: {
  dossier: Selectable<DossierTable>;
  procedure: Procedure;
  communeName: string;
  receiverName: string | null;
}): Promise<Buffer> {
  const { dossier: d, procedure: p } = input;
  const { doc, width, left, half, line } = officialDocument(`Giấy tiếp nhận hồ sơ ${d.code ?? ''}`, input.communeName, 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ', d.code);
  const qrTop = doc.y + 6;
  if (d.code) doc.image(await qrPng(d.code), left + width / 2 - 45, qrTop, { width: 90, height: 90 });
  doc.y = qrTop + 100;
  doc.x = left;
  const form = JSON.parse(d.form_data) as Record<string, string>;
  line(`${input.communeName} tiếp nhận hồ sơ của`, d.applicant_name);
  line('Địa chỉ', form.applicant_address ?? '');
  line('Số điện thoại', d.applicant_phone ?? '');
  line('Nội dung yêu cầu giải quyết', `${p.name} (mã thủ tục ${p.code})`);
  doc.moveDown(0.5).font('bold').text('Thành phần hồ sơ:');
  doc.font('regular');
  p.papers.forEach((paper, i) => doc.text(`${i + 1}. ${paper.name} — ${paper.kind === 'original' ? 'bản chính' : paper.kind === 'copy' ? 'bản sao' : 'bản chính hoặc bản sao'}: ${paper.count}`, { width, indent: 12 }));
  doc.moveDown(0.5);
  line('Thời gian nhận hồ sơ', d.received_at ? formatDateTime(d.received_at) : d.submitted_at ? `${formatDateTime(d.submitted_at)} (nộp trực tuyến, chờ tiếp nhận)` : '');
  line('Thời gian trả kết quả', d.due_date ? `ngày ${formatDate(d.due_date)}` : 'sẽ được thông báo khi hồ sơ được tiếp nhận');
  line('Nơi trả kết quả', `Trung tâm Phục vụ hành chính công ${input.communeName} hoặc trực tuyến`);
  line('Tra cứu tình trạng hồ sơ', 'quét mã QR hoặc nhập mã hồ sơ tại mục "Tra cứu hồ sơ" trên cổng dịch vụ công của xã');
  doc.moveDown(2);
  const signTop = doc.y;
  doc.font('bold').text('NGƯỜI NỘP HỒ SƠ', left, signTop, { width: half, align: 'center' });
  doc.font('regular').text(d.applicant_name, left, signTop + 70, { width: half, align: 'center' });
  doc.font('bold').text('NGƯỜI TIẾP NHẬN HỒ SƠ', left + half + 16, signTop, { width: half, align: 'center' });
  if (input.receiverName) doc.font('regular').text(input.receiverName, left + half + 16, signTop + 70, { width: half, align: 'center' });
  return pdfBytes(doc);
}

/** The heading every form of the one-stop desk shares: the issuing body, the national motto, the title. */
function officialDocument(title: string, communeName: string, heading: string, code: string | null) {
  const doc = newPdf({ title });
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const left = doc.page.margins.left;
  const top = doc.y;
  const half = width / 2 - 8;
  doc.font('bold').fontSize(11).text(`ỦY BAN NHÂN DÂN\n${communeName.toUpperCase()}`, left, top, { width: half, align: 'center' });
  doc.fontSize(11).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', left + half + 16, top, { width: half, align: 'center' });
  doc.font('bold').fontSize(11).text('Độc lập - Tự do - Hạnh phúc', { width: half, align: 'center' });
  doc.moveDown(2);
  doc.x = left;
  doc.font('bold').fontSize(14).text(heading, left, doc.y, { width, align: 'center' });
  doc.font('regular').fontSize(12).text(`Mã hồ sơ: ${code ?? ''}`, { width, align: 'center' });
  const line = (label: string, value: string) => {
    doc.font('bold').text(`${label}: `, { continued: true, width }).font('regular').text(value || '—');
  };
  return { doc, width, left, half, line };
}

/** Form 04: the apology for an overdue dossier, the reason and the new date for the result. */
export async function apologyPdf(input: { dossier: Selectable<DossierTable>; communeName: string; signerName: string | null }): Promise<Buffer> {
  const d = input.dossier;
  const { doc, width, left, half, line } = officialDocument(`Phiếu xin lỗi và hẹn lại ngày trả kết quả ${d.code ?? ''}`, input.communeName, 'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ', d.code);
  doc.moveDown(1);
  doc.x = left;
  line('Kính gửi', d.applicant_name);
  doc.moveDown(0.5);
  doc
    .font('regular')
    .text(
      `Ngày ${d.received_at ? formatDate(d.received_at) : '…'}, ${input.communeName} tiếp nhận giải quyết hồ sơ ${d.procedure_name} (mã hồ sơ ${d.code ?? ''}). Thời hạn trả kết quả ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả là ngày ${d.due_date ? formatDate(d.due_date) : '…'}.`,
      { width, align: 'justify' },
    );
  doc.moveDown(0.5);
  line('Việc giải quyết hồ sơ đã quá thời hạn quy định. Lý do', d.apology_reason ?? '');
  doc.moveDown(0.5);
  doc.text(`${input.communeName} xin lỗi ông/bà vì sự chậm trễ này và hẹn lại ngày trả kết quả là ngày ${d.appointment_date ? formatDate(d.appointment_date) : '…'}.`, { width, align: 'justify' });
  doc.text('Mong ông/bà thông cảm.', { width });
  doc.moveDown(2);
  const signTop = doc.y;
  doc.font('bold').text(`${input.communeName.toUpperCase()}`, left + half + 16, signTop, { width: half, align: 'center' });
  doc.font('regular').text(`Ngày ${d.apology_at ? formatDate(d.apology_at) : ''}`, left + half + 16, doc.y, { width: half, align: 'center' });
  if (input.signerName) doc.text(input.signerName, left + half + 16, signTop + 80, { width: half, align: 'center' });
  return pdfBytes(doc);
}
