import { findQemu, kvmUsable } from '../../src/qemu/binary.js';

/**
 * Tests that need QEMU fail loudly when it is missing under CI (where .ci/run installs it) and are
 * skipped only on a developer machine without it.
 */
export const qemuBinary = findQemu();
if (!qemuBinary && process.env.CI) throw new Error('CI: qemu-system-x86_64 is required (apt-get install qemu-system-x86)');
export const haveQemu = qemuBinary !== null;
export const haveKvm = haveQemu && kvmUsable();
