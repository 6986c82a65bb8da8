/** `--pve URL` with `--token`/`--token-file`/`--fingerprint` -> a Proxmox API client (scan, plan). */
import { InputError } from '../../errors.js';
import { PveClient, PveToken, resolvePveToken } from './index.js';

export interface PveConnectOptions {
  pve?: string;
  token?: string;
  tokenFile?: string;
  fingerprint?: string;
}

export async function connectPve(
  opts: PveConnectOptions,
): Promise<{ client: PveClient; origin: string; token: PveToken }> {
  const url = new URL(opts.pve!.includes('://') ? opts.pve! : `https://${opts.pve}`);
  if (url.protocol !== 'https:') throw new InputError('--pve', 'the Proxmox API is only spoken over https');
  const token = await resolvePveToken({ token: opts.token, tokenFile: opts.tokenFile });
  const client = new PveClient({
    host: url.hostname,
    port: url.port ? Number(url.port) : 8006,
    token,
    fingerprint: opts.fingerprint,
  });
  return { client, origin: url.origin, token };
}
