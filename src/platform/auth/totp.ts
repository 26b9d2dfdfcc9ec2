import { generateSecret, generate, verify, generateURI } from 'otplib';

/** TOTP (RFC 6238): 6 digits, 30-second steps, one step of tolerance either side, no code used twice. */
export const newTotpSecret = () => generateSecret();

export const totpUri = (secret: string, label: string) => generateURI({ issuer: 'Xã Số', label, secret });

export const totpCode = (secret: string) => generate({ secret });

/** Returns the accepted time step, or null. `afterStep` is the last step used: it cannot be replayed. */
export async function checkTotp(secret: string, code: string, afterStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epochTolerance: 30,
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  }).catch(() => null);
  return result?.valid && 'timeStep' in result ? result.timeStep : null;
}
