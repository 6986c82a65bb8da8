/** The option every command reading host data offers: truncated or foreign data is refused without it. */
export const allowIncompleteOption = [
  '--allow-incomplete',
  'use host data that lacks x86-64 baseline features (lm, sse2, ...) instead of refusing it; the model is cut down to it',
] as const;
