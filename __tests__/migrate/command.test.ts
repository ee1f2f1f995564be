import { findShellSyntax, parseMigrateCommands } from '../../src/migrate/command.js'

describe('parseMigrateCommands', () => {
  test.each<[string, string, string[][]]>([
    [
      'one plain line',
      'python manage.py migrate --no-input',
      [['python', 'manage.py', 'migrate', '--no-input']]
    ],
    [
      'several lines, blank ones and comments skipped',
      'a b\n\n  # comment\nc d\n',
      [
        ['a', 'b'],
        ['c', 'd']
      ]
    ],
    ['CRLF line ends', 'a b\r\nc\r\n', [['a', 'b'], ['c']]],
    ['double quotes keep spaces', 'echo "hello world"', [['echo', 'hello world']]],
    ['single quotes keep spaces', "echo 'a  b'", [['echo', 'a  b']]],
    ['backslash escapes a space', 'echo a\\ b', [['echo', 'a b']]],
    ['escaped quote inside double quotes', 'echo "say \\"hi\\""', [['echo', 'say "hi"']]],
    ['adjacent quoted parts join', "echo 'it'\"'\"'s'", [['echo', "it's"]]],
    ['empty quoted argument is kept', 'run ""', [['run', '']]],
    [
      'operators inside quotes are literal',
      'echo \'a|b\' "c && d" \'x;y\' "1>2"',
      [['echo', 'a|b', 'c && d', 'x;y', '1>2']]
    ],
    ['a dollar in single quotes is literal', "echo '$HOME'", [['echo', '$HOME']]],
    ['an escaped dollar is literal', 'echo \\$HOME', [['echo', '$HOME']]],
    ['a lone dollar is literal', 'echo $ 5', [['echo', '$', '5']]],
    ['JSON array', '["python", "manage.py", "migrate"]', [['python', 'manage.py', 'migrate']]],
    [
      'JSON array keeps shell syntax literal',
      '["sh", "-c", "a && b | c > d"]',
      [['sh', '-c', 'a && b | c > d']]
    ],
    [
      'JSON and shell lines mixed',
      '["a", "b c"]\nd "e f"',
      [
        ['a', 'b c'],
        ['d', 'e f']
      ]
    ],
    ['leading and trailing spaces', '   rake db:migrate   ', [['rake', 'db:migrate']]],
    ['no commands at all', '\n  \n', []]
  ])('%s', (_name, text, expected) => {
    expect(parseMigrateCommands(text)).toEqual(expected)
  })

  test.each<[string, string, RegExp]>([
    ['unclosed double quote on line 2', 'a\necho "oops', /^migrate-command line 2: unclosed quote$/],
    ['unclosed single quote', "echo 'oops", /^migrate-command line 1: unclosed quote$/],
    ['trailing backslash', 'echo a\\', /^migrate-command line 1: the line ends with a lone backslash$/],
    [
      'pipe',
      'python manage.py migrate | tee out',
      /line 1: the shell operator `\|` would not work; .*\["sh","-c","python manage.py migrate \| tee out"\]/
    ],
    ['&&', 'a && b', /line 1: the shell operator `&&` would not work/],
    ['||', 'a || b', /the shell operator `\|\|`/],
    ['semicolon', 'a; b', /the shell operator `;`/],
    ['redirect', 'a > log.txt', /the shell operator `>`/],
    ['append redirect', 'a >> log.txt', /the shell operator `>>`/],
    ['input redirect', 'a < in.sql', /the shell operator `<`/],
    ['background', 'a &', /the shell operator `&`/],
    ['backticks', 'echo `date`', /a command substitution with backticks/],
    ['variable', 'echo $HOME', /a variable expansion `\$H…`/],
    ['variable in double quotes', 'echo "$HOME"', /a variable expansion/],
    ['braced variable', 'echo ${X}', /a variable expansion `\$\{…`/],
    ['command substitution', 'echo $(date)', /a command substitution/],
    [
      'variable assignment prefix',
      'DJANGO_SETTINGS_MODULE=x python manage.py migrate',
      /line 1: `DJANGO_SETTINGS_MODULE=x` sets a variable, which needs a shell/
    ],
    [
      'JSON that is not an array of strings',
      '["a", 1]',
      /^migrate-command line 1: a JSON array must hold only strings/
    ],
    ['JSON object', '[{"a": 1}]', /only strings/],
    ['broken JSON', '["a", ', /^migrate-command line 1: not a valid JSON array/],
    ['empty JSON array', '[]', /line 1: the JSON array has no command/],
    ['empty program name', '"" arg', /line 1: has no command/],
    ['line numbers count blank lines', 'a\n\n\nb | c', /^migrate-command line 4:/]
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseMigrateCommands(text)).toThrow(message)
  })
})

describe('findShellSyntax', () => {
  test.each<[string, string | undefined]>([
    ['plain words', undefined],
    ['"a|b"', undefined],
    ["'a|b'", undefined],
    ['a\\|b', undefined],
    ['a | b', 'the shell operator `|`'],
    ['"unclosed | inside', undefined]
  ])('%s', (line, expected) => {
    expect(findShellSyntax(line)).toBe(expected)
  })
})
