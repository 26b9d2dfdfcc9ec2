import type { Config } from '../../config.ts';
import { stripDiacritics } from '../search.ts';

export type ChannelName = 'inbox' | 'email' | 'sms' | 'zalo';

/** One message to one address, as a channel sends it. */
export interface OutgoingMessage {
  address: string;
  subject: string;
  body: string;
  link: string | null;
  /** Stable per message: providers that accept one use it to drop a repeated send. */
  id: string;
}

/**
 * A way to reach a person. Every channel has the same shape so the outbox can retry any of them;
 * `send` resolves when the provider accepted the message and rejects with a readable reason.
 */
export interface NotificationChannel {
  readonly name: Exclude<ChannelName, 'inbox'>;
  send(message: OutgoingMessage): Promise<void>;
  close?(): Promise<void>;
}

/** Vietnamese mobile numbers as written locally (0xxxxxxxxx) or internationally (84xxxxxxxxx, +84…). */
export function normalizePhone(phone: string): string | null {
  const digits = phone.replace(/[\s.()-]/g, '').replace(/^\+/, '');
  if (/^0\d{9}$/.test(digits)) return digits;
  if (/^84\d{9}$/.test(digits)) return `0${digits.slice(2)}`;
  return null;
}

const TIMEOUT_MS = 10_000;

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`not JSON: ${text.slice(0, 200)}`);
  }
}

/** E-mail over SMTP (nodemailer; `SMTP_URL` such as smtps://user:pass@mail.example.vn:465). */
export class EmailChannel implements NotificationChannel {
  readonly name = 'email';
  private transport: Promise<import('nodemailer').Transporter> | undefined;

  constructor(
    private readonly url: string,
    private readonly from: string,
  ) {}

  private transporter() {
    // Loaded on first use: an installation without e-mail never holds nodemailer in memory.
    this.transport ??= import('nodemailer').then((m) => m.default.createTransport(this.url));
    return this.transport;
  }

  async send(m: OutgoingMessage): Promise<void> {
    const t = await this.transporter();
    await t.sendMail({
      from: this.from,
      to: m.address,
      subject: m.subject,
      text: m.link ? `${m.body}\n\n${m.link}` : m.body,
      messageId: `<${m.id}@xaso>`,
    });
  }

  async close() {
    if (this.transport) (await this.transport).close();
  }
}

/**
 * SMS through a brandname gateway: the JSON API of eSMS.vn (`SendMultipleMessage_V4_post_json`,
 * `CodeResult` "100" = accepted). Text goes without diacritics (one 160-character part instead of 70).
 */
export class SmsChannel implements NotificationChannel {
  readonly name = 'sms';
  constructor(private readonly options: { apiUrl: string; apiKey: string; secretKey: string; brandname: string }) {}

  async send(m: OutgoingMessage): Promise<void> {
    const phone = normalizePhone(m.address);
    if (!phone) throw new Error(`not a Vietnamese mobile number: ${m.address}`);
    const content = stripDiacritics(m.link ? `${m.body} ${m.link}` : m.body).slice(0, 459);
    const res = (await postJson(`${this.options.apiUrl.replace(/\/$/, '')}/MainService.svc/json/SendMultipleMessage_V4_post_json/`, {
      ApiKey: this.options.apiKey,
      SecretKey: this.options.secretKey,
      Phone: phone,
      Content: content,
      Brandname: this.options.brandname,
      SmsType: '2',
      RequestId: m.id,
    })) as { CodeResult?: string; ErrorMessage?: string };
    if (res.CodeResult !== '100') throw new Error(`SMS gateway refused (${res.CodeResult ?? '?'}): ${res.ErrorMessage ?? ''}`.trim());
  }
}

/**
 * Zalo Notification Service (ZNS) of a Zalo Official Account: a template approved by Zalo, sent to a
 * phone number (`POST /message/template`, `error` 0 = accepted). The template has the parameters
 * `tieu_de` (subject), `noi_dung` (text) and `lien_ket` (link).
 */
export class ZaloChannel implements NotificationChannel {
  readonly name = 'zalo';
  constructor(private readonly options: { apiUrl: string; accessToken: string; templateId: string }) {}

  async send(m: OutgoingMessage): Promise<void> {
    const phone = normalizePhone(m.address);
    if (!phone) throw new Error(`not a Vietnamese mobile number: ${m.address}`);
    const res = (await postJson(
      `${this.options.apiUrl.replace(/\/$/, '')}/message/template`,
      {
        phone: `84${phone.slice(1)}`,
        template_id: this.options.templateId,
        template_data: { tieu_de: m.subject.slice(0, 100), noi_dung: m.body.slice(0, 400), lien_ket: m.link ?? '' },
        tracking_id: m.id,
      },
      { access_token: this.options.accessToken },
    )) as { error?: number; message?: string };
    if (res.error !== 0) throw new Error(`Zalo refused (${res.error ?? '?'}): ${res.message ?? ''}`.trim());
  }
}

/** The channels this installation has configured (the inbox needs none). */
export function channelsFromConfig(config: Config): NotificationChannel[] {
  const channels: NotificationChannel[] = [];
  if (config.notify.smtpUrl) channels.push(new EmailChannel(config.notify.smtpUrl, config.notify.mailFrom));
  if (config.notify.sms) channels.push(new SmsChannel(config.notify.sms));
  if (config.notify.zalo) channels.push(new ZaloChannel(config.notify.zalo));
  return channels;
}
