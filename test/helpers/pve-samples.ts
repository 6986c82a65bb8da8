/** Real cpu-models.conf texts shared by the Proxmox format tests. */
// Verbatim from qemu-server's run_config2command_tests.pl (notes §1.4).
export const QEMU_SERVER_FIXTURE = `# "qemu64" is also a default CPU, used here to test that this doesn't matter
cpu-model: qemu64
    reported-model athlon
    flags +aes;+avx;-kvm_pv_unhalt
    hv-vendor-id testvend
    phys-bits 40

cpu-model: alldefault

`;
