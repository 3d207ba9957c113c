import { describe, expect, it } from 'vitest';
import {
  describeRange,
  extractVersion,
  parseComposeVersion,
  parseDbtVersion,
  parseJavaVersion,
  parseKeyValueIni,
  parseSparkVersion,
  satisfiesRange,
} from '../../src/doctor/versions.js';

const BAD_INPUTS: Array<[string]> = [
  [''],
  ['   \n  '],
  ['bash: foo: command not found'],
  ['command not found'],
  ['zsh: command not found: foo'],
  ["'foo' is not recognized as an internal or external command,\r\noperable program or batch file."],
  ['garbage !@#$%^&*() ~~~ 12 abc'],
  ['\u0000\u0001\u0002'],
];

describe('extractVersion', () => {
  it.each([
    ['Terraform v1.11.4\non linux_amd64', '1.11.4'],
    ['git version 2.39.5', '2.39.5'],
    ['psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', '15.18'],
    ['Python 3.11.7', '3.11.7'],
    ['pip 23.2.1 from /x (python 3.11)', '23.2.1'],
    ['curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.15', '7.88.1'],
    ['GNU Wget 1.21.3 built on linux-gnu.', '1.21.3'],
    ['Docker version 28.2.2, build e6534b4', '28.2.2'],
    ['pgcli Version: 4.0.1', '4.0.1'],
    ['Docker Compose version v2.24.5-desktop.1', '2.24.5'],
    ['2.24.5-desktop.1', '2.24.5'],
    ['Google Cloud SDK 465.0.0\nbq 2.0.101\ncore 2024.02.23', '465.0.0'],
    ['Terraform v1.5.7\r\non darwin_arm64\r\n', '1.5.7'],
    ['git version 2.39.3 (Apple Git-145)', '2.39.3'],
    ['Python3.11 is not a version; Python 3.12.1 is', '3.12.1'],
  ])('finds the version in %j', (text, expected) => {
    expect(extractVersion(text)).toBe(expected);
  });

  it.each([...BAD_INPUTS, ['Terraform'], ['version'], ['x86_64-pc-linux-gnu'], ['build 5becea4c']])(
    'finds nothing in %j',
    (text) => {
      expect(extractVersion(text)).toBeUndefined();
    },
  );
});

describe('parseJavaVersion', () => {
  it.each([
    [
      'OpenJDK 17 (Debian)',
      'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\nOpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)',
      '17.0.15',
      17,
    ],
    [
      'Oracle 8',
      'java version "1.8.0_292"\nJava(TM) SE Runtime Environment (build 1.8.0_292-b10)\nJava HotSpot(TM) 64-Bit Server VM (build 25.292-b10, mixed mode)',
      '8.0.292',
      8,
    ],
    [
      'OpenJDK 8',
      'openjdk version "1.8.0_382"\nOpenJDK Runtime Environment (build 1.8.0_382-8u382-ga-1~22.04.1-b05)\nOpenJDK 64-Bit Server VM (build 25.382-b05, mixed mode)',
      '8.0.382',
      8,
    ],
    [
      'IBM 8',
      'java version "1.8.0"\nJava(TM) SE Runtime Environment (build pxa6480sr5fp10-20180214_01(SR5 FP10))\nIBM J9 VM (build 2.9, JRE 1.8.0 Linux amd64-64 Compressed References 20180208_378436 (JIT enabled, AOT enabled)',
      '8.0.0',
      8,
    ],
    [
      'OpenJDK 11',
      'openjdk version "11.0.2" 2019-01-15\nOpenJDK Runtime Environment 18.9 (build 11.0.2+9)',
      '11.0.2',
      11,
    ],
    ['OpenJDK 21 GA', 'openjdk version "21" 2023-09-19\nOpenJDK Runtime Environment (build 21+35-2513)', '21.0.0', 21],
    [
      'early access',
      'openjdk version "22-ea" 2024-03-19\nOpenJDK Runtime Environment (build 22-ea+27-2262)',
      '22.0.0',
      22,
    ],
    ['Java 9', 'java version "9"\nJava(TM) SE Runtime Environment (build 9+181)', '9.0.0', 9],
    [
      'four parts',
      'openjdk version "17.0.8.1" 2023-08-24\nOpenJDK Runtime Environment Temurin-17.0.8.1+1 (build 17.0.8.1+1)',
      '17.0.8',
      17,
    ],
    [
      'java --version',
      'openjdk 17.0.1 2021-10-19\nOpenJDK Runtime Environment (build 17.0.1+12-39)\nOpenJDK 64-Bit Server VM (build 17.0.1+12-39, mixed mode, sharing)',
      '17.0.1',
      17,
    ],
    [
      'java --version (Oracle, LTS)',
      'java 21.0.2 2024-01-16 LTS\nJava(TM) SE Runtime Environment (build 21.0.2+13-LTS-58)',
      '21.0.2',
      21,
    ],
    ['java --version, early access', 'openjdk 22-ea 2024-03-19\nOpenJDK Runtime Environment', '22.0.0', 22],
    [
      'JAVA_TOOL_OPTIONS first',
      'Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8\nopenjdk version "11.0.21" 2023-10-17\nOpenJDK Runtime Environment',
      '11.0.21',
      11,
    ],
    [
      '_JAVA_OPTIONS and JAVA_TOOL_OPTIONS first, CRLF',
      'Picked up _JAVA_OPTIONS: -Xmx2g\r\nPicked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8 -Djava.version=99\r\njava version "1.8.0_401"\r\n',
      '8.0.401',
      8,
    ],
    [
      'Temurin',
      'openjdk version "17.0.9" 2023-10-17\nOpenJDK Runtime Environment Temurin-17.0.9+9 (build 17.0.9+9)\nOpenJDK 64-Bit Server VM Temurin-17.0.9+9 (build 17.0.9+9, mixed mode, sharing)',
      '17.0.9',
      17,
    ],
    [
      'Zulu 8',
      'openjdk version "1.8.0_392"\nOpenJDK Runtime Environment (Zulu 8.74.0.17-CA-linux64) (build 1.8.0_392-b08)\nOpenJDK 64-Bit Server VM (Zulu 8.74.0.17-CA-linux64) (build 25.392-b08, mixed mode)',
      '8.0.392',
      8,
    ],
    [
      'Corretto 11',
      'openjdk version "11.0.21" 2023-10-17 LTS\nOpenJDK Runtime Environment Corretto-11.0.21.9.1 (build 11.0.21+9-LTS)\nOpenJDK 64-Bit Server VM Corretto-11.0.21.9.1 (build 11.0.21+9-LTS, mixed mode)',
      '11.0.21',
      11,
    ],
    [
      'GraalVM CE',
      'openjdk version "17.0.8" 2023-07-18\nOpenJDK Runtime Environment GraalVM CE 17.0.8+7.1 (build 17.0.8+7-jvmci-23.0-b15)\nOpenJDK 64-Bit Server VM GraalVM CE 17.0.8+7.1 (build 17.0.8+7-jvmci-23.0-b15, mixed mode, sharing)',
      '17.0.8',
      17,
    ],
    [
      'Oracle GraalVM',
      'java version "21.0.1" 2023-10-17 LTS\nJava(TM) SE Runtime Environment Oracle GraalVM 21.0.1+12.1 (build 21.0.1+12-jvmci-23.1-b19)',
      '21.0.1',
      21,
    ],
    [
      'old GraalVM, banner version differs from Java',
      'openjdk version "11.0.12" 2021-07-20\nOpenJDK Runtime Environment GraalVM CE 21.2.0 (build 11.0.12+6-jvmci-21.2-b08)',
      '11.0.12',
      11,
    ],
    [
      'IBM Semeru',
      'openjdk version "17.0.6" 2023-01-17\nIBM Semeru Runtime Open Edition 17.0.6.0 (build 17.0.6+10)',
      '17.0.6',
      17,
    ],
    ['internal build', 'openjdk version "17-internal" 2021-09-14', '17.0.0', 17],
  ])('reads %s', (_name, text, version, major) => {
    expect(parseJavaVersion(text)).toEqual({ version, major });
  });

  it.each([
    ...BAD_INPUTS,
    ['Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8'],
    ['OpenJDK 64-Bit Server VM (build 17.0.15+6, mixed mode, sharing)'],
    ['The operation couldn’t be completed. Unable to locate a Java Runtime.'],
    ['Python 3.11.7'],
  ])('finds nothing in %j', (text) => {
    expect(parseJavaVersion(text)).toBeUndefined();
  });
});

describe('satisfiesRange', () => {
  it.each([
    ['1.11.4', '>=1.0', true],
    ['8.0.292', '8.x || 11.x', true],
    ['11.0.21', '8.x || 11.x', true],
    ['17.0.15', '8.x || 11.x', false],
    ['15.18', '>=14', true],
    ['v1.5.7', '>=1.0', true],
    ['0.15.5', '>=1.0', false],
    ['3.2.1', '>=3.0.3 <3.3', true],
    ['3.3.2', '>=3.0.3 <3.3', false],
    ['1.7.4', '>=1.0 <2', true],
    ['21', '>=17', true],
    ['2.24.5-desktop.1', '>=2.0', true],
  ])('%j in %j → %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });

  it.each([
    ['', '>=1.0'],
    ['command not found', '>=1.0'],
    ['garbage', '*'],
    ['1.2.3', 'not a range'],
    ['1.2.3', ''],
    ['1.2.3', '   '],
    ['1.2.3', '>=1.0 <<< 2'],
    // Terraform's constraint syntax: semver's loose mode would read it as "<2.0.0" and say yes.
    ['1.2.3', '>= 1.0, < 2.0'],
    ['0.5.0', '>= 1.0, < 2.0'],
  ])('%j in %j → false (invalid input)', (version, range) => {
    expect(satisfiesRange(version, range)).toBe(false);
  });
});

describe('parseComposeVersion', () => {
  it.each([
    ['Docker Compose version v2.24.5', '2.24.5', 2],
    ['Docker Compose version 2.29.1-desktop.1', '2.29.1', 2],
    ['docker-compose version 1.29.2, build 5becea4c', '1.29.2', 1],
    ['docker compose version v2.3.3', '2.3.3', 2],
    ['docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\nCPython version: 3.10.6', '1.29.2', 1],
    ['2.24.5\n', '2.24.5', 2],
    ['v2.27.0', '2.27.0', 2],
  ])('reads %j', (text, version, major) => {
    expect(parseComposeVersion(text)).toEqual({ version, major });
  });

  it.each([
    ...BAD_INPUTS,
    ["docker: 'compose' is not a docker command.\nSee 'docker --help'"],
    ['Docker version 28.2.2, build e6534b4'],
  ])('finds nothing in %j', (text) => {
    expect(parseComposeVersion(text)).toBeUndefined();
  });
});

describe('parseDbtVersion', () => {
  it.each([
    [
      'dbt 1.7 (Core: / Plugins:)',
      'Core:\n  - installed: 1.7.4\n  - latest:    1.7.4 - Up to date!\n\nPlugins:\n  - bigquery: 1.7.2 - Up to date!\n  - postgres: 1.7.4 - Up to date!',
      {
        core: '1.7.4',
        adapters: [
          { name: 'bigquery', version: '1.7.2' },
          { name: 'postgres', version: '1.7.4' },
        ],
      },
    ],
    [
      'dbt 1.0 (installed version:)',
      'installed version: 1.0.1\n   latest version: 1.0.1\n\nUp to date!\n\nPlugins:\n  - bigquery: 1.0.0 - Up to date!',
      { core: '1.0.1', adapters: [{ name: 'bigquery', version: '1.0.0' }] },
    ],
    [
      'dbt 1.8, updates available',
      'Core:\n  - installed: 1.8.0\n  - latest:    1.8.1 - Update available!\n\n  Your version of dbt-core is out of date!\n  You can find instructions for upgrading here:\n  https://docs.getdbt.com/docs/installation\n\nPlugins:\n  - duckdb: 1.8.1 - Update available!\n    At least one plugin is out of date with dbt-core.\n    You can find instructions for upgrading here:\n    https://docs.getdbt.com/docs/installation\n',
      { core: '1.8.0', adapters: [{ name: 'duckdb', version: '1.8.1' }] },
    ],
    [
      'CRLF, no plugins',
      'Core:\r\n  - installed: 1.5.0\r\n  - latest:    1.7.4 - Update available!\r\n',
      { core: '1.5.0', adapters: [] },
    ],
    ['pre-release core', 'Core:\n  - installed: 1.8.0b1\n', { core: '1.8.0', adapters: [] }],
  ])('reads %s', (_name, text, expected) => {
    expect(parseDbtVersion(text)).toEqual(expected);
  });

  it.each([...BAD_INPUTS, ['Plugins:\n  - nothing here'], ['latest version: 1.0.1']])('finds nothing in %j', (text) => {
    expect(parseDbtVersion(text)).toEqual({ adapters: [] });
  });
});

describe('parseSparkVersion', () => {
  const banner = [
    'Welcome to',
    '      ____              __',
    '     / __/__  ___ _____/ /__',
    "    _\\ \\/ _ \\/ _ `/ __/  '_/",
    '   /___/ .__/\\_,_/_/ /_/\\_\\   version 3.3.2',
    '      /_/',
    '                        ',
    'Using Scala version 2.12.15, OpenJDK 64-Bit Server VM, 17.0.15',
    'Branch HEAD',
    'Compiled by user liangchi on 2023-02-10T19:57:40Z',
    'Revision 5103e00c4ce5fcc4264ca9c4df12295d42557af6',
    'Url https://github.com/apache/spark',
    'Type --help for more information.',
  ].join('\n');

  it.each([
    ['spark-submit --version banner', banner, '3.3.2'],
    [
      'banner after warnings, Scala line first',
      'Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8\nUsing Scala version 2.12.10\n' + banner,
      '3.3.2',
    ],
    [
      'RELEASE file',
      'Spark 3.0.3 (git revision 65ac1e75dc) built for Hadoop 3.2.0\nBuild flags: -B -Pmesos -Pyarn -Pkubernetes -Psparkr -Pscala-2.12 -Phadoop-3.2 -Phive -Phive-thriftserver',
      '3.0.3',
    ],
    ['RELEASE file, preview', 'Spark 4.0.0-preview2 (git revision 12ab34) built for Hadoop 3.4.0', '4.0.0'],
    ['jar name', 'spark-core_2.12-3.3.2.jar', '3.3.2'],
    ['jar path', '/opt/spark/jars/spark-sql_2.13-3.5.1.jar', '3.5.1'],
    ['jar listing', 'scala-library-2.12.15.jar\nspark-catalyst_2.12-3.2.1.jar\nspark-core_2.12-3.2.1.jar', '3.2.1'],
    ['Spark 1 assembly jar', 'spark-assembly-1.6.0-hadoop2.6.0.jar', '1.6.0'],
    ['distribution folder', '/home/me/spark/spark-3.3.2-bin-hadoop3', '3.3.2'],
  ])('reads %s', (_name, text, expected) => {
    expect(parseSparkVersion(text)).toBe(expected);
  });

  it.each([
    ...BAD_INPUTS,
    ['Using Scala version 2.12.15, OpenJDK 64-Bit Server VM, 17.0.15'],
    ['scala-library-2.12.15.jar'],
    ['Error: JAVA_HOME is not set'],
  ])('finds nothing in %j', (text) => {
    expect(parseSparkVersion(text)).toBeUndefined();
  });
});

describe('parseKeyValueIni', () => {
  it.each([
    [
      'a gcloud configuration',
      '[core]\naccount = me@example.com\nproject = my-project',
      { core: { account: 'me@example.com', project: 'my-project' } },
    ],
    [
      'comments, blank lines, several sections, CRLF',
      '# written by gcloud\r\n; another comment\r\n\r\n[core]\r\naccount = me@example.com\r\ndisable_usage_reporting = True\r\n\r\n[compute]\r\nregion = europe-west1\r\nzone=europe-west1-b\r\n',
      {
        core: { account: 'me@example.com', disable_usage_reporting: 'True' },
        compute: { region: 'europe-west1', zone: 'europe-west1-b' },
      },
    ],
    [
      'colon separators, empty values, URLs, indented comments',
      '[api_endpoint_overrides]\n  # indented comment\nstorage: https://storage.example.com:443/\nempty =\n',
      { api_endpoint_overrides: { storage: 'https://storage.example.com:443/', empty: '' } },
    ],
    ['a repeated key keeps its last value', '[core]\nproject = a\nproject = b', { core: { project: 'b' } }],
    ['a repeated section merges', '[core]\na = 1\n[x]\n[core]\nb = 2', { core: { a: '1', b: '2' }, x: {} }],
    ['keys before any section', 'top = level\n[core]\nk = v', { '': { top: 'level' }, core: { k: 'v' } }],
    ['a byte-order mark', '\uFEFF[core]\nproject = p', { core: { project: 'p' } }],
    ['lines without a separator are skipped', '[core]\njust words\n= no key\nk = v', { core: { k: 'v' } }],
    ['an empty file', '', {}],
    ['only comments', '# a\n; b\n\n', {}],
  ])('reads %s', (_name, text, expected) => {
    expect(parseKeyValueIni(text)).toEqual(expected);
  });

  it('stores "__proto__" as data, never as a prototype', () => {
    const parsed = parseKeyValueIni('[__proto__]\npolluted = yes\n[core]\n__proto__ = x');
    expect(Object.keys(parsed)).toEqual(['__proto__', 'core']);
    expect(parsed['__proto__']?.['polluted']).toBe('yes');
    expect(parsed['core']?.['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('describeRange', () => {
  it.each([
    ['>=1.0', '1.0 or newer'],
    ['>=1.0 <2', '1.0 or newer, below 2'],
    ['>=3.0.3 <3.3', '3.0.3 or newer, below 3.3'],
    ['8.x || 11.x', '8 or 11'],
    ['^1.2', '^1.2'],
    ['>=1 || ~2', '>=1 || ~2'],
  ])('%s → %s', (range, text) => expect(describeRange(range)).toBe(text));
});
