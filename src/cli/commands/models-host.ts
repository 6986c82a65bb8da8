import { InputError } from '../../errors.js';

export async function runModelsForHost(_input: string, _opts: { json: boolean; qemu?: string }): Promise<void> {
  throw new InputError('--host', 'not available yet');
}
