import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import { stripDiacritics } from '../search.ts';

/**
 * Digital signing of PDFs (a PKCS#7 detached signature in the PDF, adbe.pkcs7.detached — what Adobe
 * Reader and Vietnamese verifiers check). The platform signs through this interface; a real deployment
 * plugs in the signer of its certification authority (a USB token or a remote-signing service such as
 * a CA's "SmartCA") behind it. The local signer here uses a **test certificate** the platform makes
 * for itself: it exercises the whole flow, and every page that shows its signature says so.
 */
export interface PdfSigner {
  /** `test` for the local signer's self-made certificate: no legal value. */
  readonly kind: 'test' | 'ca';
  sign(pdf: Buffer, info: SignInfo): Promise<Buffer>;
}

export interface SignInfo {
  /** The signer's name, as it will read in the signature. */
  name: string;
  reason: string;
  location: string;
  contactInfo?: string;
}

export class SignError extends Error {}

/**
 * A signer with a self-signed test certificate, made on first use and kept in `<dataDir>/signing/test-signer.json`
 * (RSA 2048, SHA-256, valid for 5 years).
 */
export async function localTestSigner(dataDir: string): Promise<PdfSigner> {
  // The certificate and its passphrase in one file, written whole (temporary file + rename): two
  // processes starting at once each keep a consistent pair.
  const file = path.join(dataDir, 'signing', 'test-signer.json');
  let p12: Buffer;
  let passphrase: string;
  try {
    const saved = JSON.parse(await fs.readFile(file, 'utf8')) as { p12: string; passphrase: string };
    [p12, passphrase] = [Buffer.from(saved.p12, 'base64'), saved.passphrase];
  } catch {
    passphrase = crypto.randomBytes(18).toString('base64url');
    p12 = testCertificate(passphrase);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    await fs.writeFile(tmp, JSON.stringify({ p12: p12.toString('base64'), passphrase }), { mode: 0o600 });
    await fs.rename(tmp, file);
  }
  return {
    kind: 'test',
    async sign(pdf, info) {
      let prepared: Buffer;
      try {
        // The placeholder writer garbles non-ASCII text strings: the dictionary's fields go without diacritics.
        prepared = plainAddPlaceholder({ pdfBuffer: pdf, reason: stripDiacritics(info.reason), name: stripDiacritics(info.name), location: stripDiacritics(info.location), contactInfo: stripDiacritics(info.contactInfo ?? ''), appName: 'XaSo' });
      } catch (err) {
        throw new SignError(`the PDF cannot take a signature: ${(err as Error).message}`);
      }
      // A P12Signer reads its certificate once (the buffer is consumed): one per signature.
      return new SignPdf().sign(prepared, new P12Signer(p12, { passphrase }));
    },
  };
}

/** A self-signed certificate and its key as PKCS#12 (the key made by Node's crypto, the certificate by forge). */
function testCertificate(passphrase: string): Buffer {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${crypto.randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  const subject = [
    { name: 'commonName', value: 'Xa So - chung thu thu nghiem (test certificate)' },
    { name: 'organizationName', value: 'Xa So' },
    { name: 'countryName', value: 'VN' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], passphrase, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

export interface SignatureCheck {
  valid: boolean;
  /** The certificate's common name. */
  signer: string;
  signedAt: Date | undefined;
}

/**
 * Checks the last signature of a PDF: the bytes it covers hash to its signed message digest, and the
 * signed attributes verify with the certificate's public key. (Trust in the certificate itself — its
 * chain to a national root — is the verifier's separate question.) `undefined` when there is none.
 */
export function verifyPdfSignature(pdf: Buffer): SignatureCheck | undefined {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/ByteRange');
  if (at < 0) return undefined;
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(at, at + 200));
  if (!m) return undefined;
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  const signed = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
  const hex = text.slice(a + b, c).replace(/[<>\s]/g, '').replace(/(00)+$/, '');
  try {
    const msg = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(forge.util.hexToBytes(hex))) as forge.pkcs7.PkcsSignedData & { rawCapture: { authenticatedAttributes?: forge.asn1.Asn1[]; signature: string } };
    const cert = msg.certificates[0]!;
    const attrs = msg.rawCapture.authenticatedAttributes ?? [];
    let digest = '';
    let signedAt: Date | undefined;
    for (const attr of attrs) {
      const [oid, set] = attr.value as forge.asn1.Asn1[];
      const type = forge.asn1.derToOid(oid!.value as string);
      const value = (set!.value as forge.asn1.Asn1[])[0]!;
      if (type === forge.pki.oids.messageDigest) digest = Buffer.from(value.value as string, 'binary').toString('hex');
      if (type === forge.pki.oids.signingTime) signedAt = forge.asn1.utcTimeToDate(value.value as string);
    }
    // The signature covers the attributes re-encoded as a SET (tag 0x31), not as the [0] they travel in.
    const set = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attrs);
    const publicKey = crypto.createPublicKey(forge.pki.publicKeyToPem(cert.publicKey));
    const ok =
      digest === crypto.createHash('sha256').update(signed).digest('hex') &&
      crypto.verify('sha256', Buffer.from(forge.asn1.toDer(set).getBytes(), 'binary'), publicKey, Buffer.from(msg.rawCapture.signature, 'binary'));
    const cn = cert.subject.getField('CN') as { value?: string } | null;
    return { valid: ok, signer: cn?.value ?? '', signedAt };
  } catch {
    return { valid: false, signer: '', signedAt: undefined };
  }
}
