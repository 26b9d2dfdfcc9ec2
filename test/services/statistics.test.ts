import { describe, expect, it } from 'vitest';
import { computeStatistics } from '../../src/modules/services/statistics.ts';
import { writeCsv } from '../../src/platform/xlsx.ts';

const d = (over: Partial<Parameters<typeof computeStatistics>[0][number]>) => ({
  group: 'A',
  channel: 'in_person',
  state: 'received',
  fullyOnline: false,
  received_at: '2026-11-02T02:00:00.000Z',
  due_date: '2026-11-05',
  finished_at: null,
  ...over,
});

describe('dossier statistics', () => {
  it('counts on-time and late results, the overdue backlog, online shares and the mean time', () => {
    const { rows, total } = computeStatistics(
      [
        d({ state: 'returned', finished_at: '2026-11-05T09:00:00.000Z' }), // 16:00 local on the due day: on time
        d({ state: 'done', finished_at: '2026-11-05T18:00:00.000Z' }), // 01:00 local on the 6th: late
        d({ state: 'processing', due_date: '2026-11-10' }), // overdue on the 20th
        d({ group: 'B', channel: 'online', fullyOnline: true, state: 'new', due_date: null }),
      ],
      '2026-11-20',
    );
    expect(total).toMatchObject({ received: 4, resolved: 2, onTime: 1, late: 1, overdueBacklog: 1, online: 1, fullyOnline: 1 });
    expect(total.avgDays).toBe(3.5); // (3.29 + 3.67) / 2
    expect(rows.map((r) => [r.group, r.received])).toEqual([
      ['A', 3],
      ['B', 1],
    ]);
    expect(rows[1]!.avgDays).toBeNull();
  });

  it('counts the online-payment share and satisfaction', () => {
    const { total } = computeStatistics(
      [
        d({ state: 'returned', finished_at: '2026-11-04T02:00:00.000Z', payment_status: 'paid', payment_method: 'transfer', rating: 4 }),
        d({ state: 'returned', finished_at: '2026-11-04T02:00:00.000Z', payment_status: 'paid', payment_method: 'cash', rating: 2 }),
        d({ state: 'returned', finished_at: '2026-11-04T02:00:00.000Z', payment_status: 'exempt', rating: 3 }),
        d({ payment_status: 'unpaid' }),
      ],
      '2026-11-20',
    );
    expect(total).toMatchObject({ paid: 2, paidOnline: 1, rated: 3, satisfied: 2 });
  });

  it('writes CSV that Excel reads (BOM, quoting, CRLF)', async () => {
    expect((await writeCsv(['Xã', 'Số'], [['Hướng Đạo, Phú Thọ', 3], ['A "B"', null]])).toString('utf8')).toBe('\uFEFFXã,Số\r\n"Hướng Đạo, Phú Thọ",3\r\n"A ""B""",\r\n');
  });
});
