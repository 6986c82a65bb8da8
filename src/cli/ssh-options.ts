/** The SSH options scan, scan --verify and verify --ssh share: as the commands take them, and as the fleet's runner does. */
export interface SshCliOptions {
  acceptNewHostKeys?: boolean;
  identity?: string;
  knownHosts?: string;
  sshConfig?: string;
  sshOption?: string[];
  insecureHostKeys?: boolean;
  user?: string;
}

export function sshOptionsOf(opts: SshCliOptions) {
  return {
    acceptNewHostKeys: !!opts.acceptNewHostKeys,
    identityFile: opts.identity,
    knownHostsFile: opts.knownHosts,
    configFile: opts.sshConfig,
    extraOptions: opts.sshOption,
    insecureHostKeys: !!opts.insecureHostKeys,
    user: opts.user,
  };
}
