/** `--write-models DIR` of plan and drain: each section `apply` needs, as DIR/NAME.conf. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WriteError, describeWriteErrno } from '../../errors.js';
import { modelHostsComment, renderCpuModelSection, type CpuModelSection } from '../../formats/pve-cpu-models.js';
import { writeOutputFile } from '../../fs/output-file.js';

/** Writes what the printed commands name (`migratable apply DIR/NAME.conf`); a link planted there is refused. */
export function writeModelFiles(dir: string, models: Array<{ section: CpuModelSection; hosts: string[] }>): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new WriteError(dir, `cannot create the directory: ${describeWriteErrno(e)}`);
  }
  for (const { section, hosts } of models)
    writeOutputFile(
      join(dir, `${section.name}.conf`),
      `${modelHostsComment(hosts)}\n${renderCpuModelSection(section)}`,
    );
}
