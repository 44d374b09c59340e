// Lint rules of the house: typed rules on, floating promises are bugs (an unawaited delivery is
// lost), and domain/ stays free of HTTP, GraphQL and persistence imports.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/graphql/generated/**', 'coverage/**', 'tmp/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['express', 'express/*', '@apollo/*', '@as-integrations/*', 'graphql', 'graphql/*', 'lowdb', 'lowdb/*'], message: 'domain/ knows nothing about HTTP, GraphQL or persistence.' },
            { group: ['../graphql/*', '../control/*', '../webhooks/*', '../gurusup/*', '../scenarios/*'], message: 'domain/ must not import adapters.' },
          ],
        },
      ],
    },
  },
);
