// Lint rules: typescript-eslint's recommended set over the sources, tests, benches and tools, and the
// import layers of src/ (scripts/layers.mjs: a lower layer never imports a higher one).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { layersRule } from './scripts/layers.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-artifacts/**',
      '.tmp/**',
      'data/**',
      'test/fixtures/**',
      'examples/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { migratable: { rules: { layers: layersRule } } },
    rules: { 'migratable/layers': 'error' },
  },
);
