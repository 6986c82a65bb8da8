/** Writes schema/host-profile.v1.json from the zod schema the readers validate with (npm run gen:schema). */
import { writeFileSync } from 'node:fs';
import { hostProfileJsonSchema } from '../src/profile/host-profile.js';

const file = new URL('../schema/host-profile.v1.json', import.meta.url);
writeFileSync(file, JSON.stringify(hostProfileJsonSchema(), null, 2) + '\n');
console.log(`wrote ${file.pathname}`);
