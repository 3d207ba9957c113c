// The default syllabus against the course's own 2022 files: one test per fact of the audit in
// ../shared/course/stacks.md part A (its item number in each title), naming the file and commit it
// was checked against, so that a later edit cannot quietly undo it. Course commits:
//   DEZ@f5dc0ec8  DataTalksClub/data-engineering-zoomcamp, 2022-04-28 (the 2022 week_* layout)
//   DEZ@5cd686a1  the same repository, 2026-06-10 (cohorts/2022/…, cohorts/2025/…)
//   CPDI@254da6f  confluentinc/cp-docker-images, debian/kafka/include/etc/confluent/docker/configure
//   FAQ@7757d2a   DataTalksClub/faq, _questions/data-engineering-zoomcamp/module-6/028_…
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { monthsOf } from '../../src/data/datasets.js';
import { blockingChecks, checkForm } from '../../src/homework/check.js';
import { answersYaml, questionsMarkdown } from '../../src/homework/render.js';
import { formatHomework, formatSubmissions } from '../../src/output/course-format.js';
import { emptyProgress, markDone, summarize, topicKey } from '../../src/progress/model.js';
import { desiredStack, noOverrides } from '../../src/setup/spec.js';
import { questionRole, type CourseWeek } from '../../src/syllabus/course.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';
import type { Question } from '../../src/syllabus/schema.js';

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url)), 'dez-2022.yaml');
const template = (path: string) => readFileSync(new URL(`../../templates/homework/${path}`, import.meta.url), 'utf8');

function question(week: CourseWeek, id: string): Question {
  const found = week.homework?.questions?.find((q) => q.id === id);
  if (!found) throw new Error(`week ${week.id} has no question ${id}`);
  return found;
}

const titles = (week: CourseWeek, keep: (topic: CourseWeek['topics'][number]) => boolean) =>
  week.topics.filter(keep).map((topic) => topic.title);

describe('week 1 (DEZ@f5dc0ec8 week_1_basics_n_setup/)', () => {
  const week1 = findWeek(course, '1');

  it('#25 adds the taught lessons the outline lacks: pgAdmin, the SQL refresher, Docker networking (README.md)', () => {
    const all = titles(week1, () => true);
    expect(all).toEqual(expect.arrayContaining(['Connecting pgAdmin and Postgres', 'SQL refresher']));
    expect(week1.topics.find((t) => t.title === 'Port mapping and networks in Docker')?.extra).toBe(true);
  });

  it('#14 q2 asks for the whole output, from terraform init to the end (homework.md)', () => {
    expect(question(week1, 'q2').question).toMatch(/entire output, from the moment you typed terraform init/);
  });

  it("#21 says where the student reads it that pgAdmin is on 8085, not the videos' 8080 (2_docker_sql/docker-compose.yaml)", () => {
    expect(week1.setup?.summary).toMatch(/pgAdmin is on localhost:8085, not 8080/);
    expect(week1.setup?.summary).toMatch(/named Docker volumes/);
    const next = course.stacks.week1!.next!.join('\n');
    expect(next).toMatch(/videos use localhost:8080 for pgAdmin; dec uses 8085/);
    expect(course.stacks.week1!.services.pgadmin!.ports).toEqual([{ host: 8085, container: 80 }]);
  });
});

describe('week 2 (DEZ@f5dc0ec8 week_2_data_ingestion/)', () => {
  const week2 = findWeek(course, '2');

  it('#8 q2 has the course options: Daily, Monthly, Yearly, Once (homework.md)', () => {
    expect(question(week2, 'q2').options).toEqual(['Daily', 'Monthly', 'Yearly', 'Once']);
  });

  it('#22 q1 offers days_ago(1) as the course writes it (homework.md)', () => {
    expect(question(week2, 'q1').options).toEqual(['2019-01-01', '2020-01-01', '2021-01-01', 'days_ago(1)']);
  });

  it('#4 q3 counts the green runs for data in 2019 only, and local Postgres is allowed (homework.md)', () => {
    const q3 = question(week2, 'q3');
    expect(q3.question).toMatch(/green for data in 2019/);
    expect(q3.question).toMatch(/same start date and monthly schedule as the yellow one/);
    expect(q3.points).toBe(2);
    expect(week2.homework?.summary).toMatch(/Postgres/);
    expect(template('week-2/README.md')).toMatch(/green \(successful\) runs for data in 2019/);
  });

  it('#7 wants 5 GB for the official Airflow setup, 4 GB only for the no-frills one; airflow-init only warns (airflow/docker-compose.yaml, airflow/1_setup_official.md, airflow/2_setup_nofrills.md)', () => {
    expect(week2.setup?.dockerMemoryGb).toBe(5);
    expect(week2.setup?.summary).toMatch(/at least 5 GB/);
    expect(week2.setup?.summary).toMatch(/no-frills LocalExecutor setup needs 4 GB/);
    expect(week2.setup?.summary).toMatch(/airflow-init only warns/);
    expect(week2.setup?.variants?.light?.dockerMemoryGb).toBe(4);
    expect(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url), 'utf8')).not.toMatch(
      /refuses to start/,
    );
  });

  it('#18 gcloud is optional: the DAGs use the client inside the image, and local Postgres is allowed (homework.md, airflow/Dockerfile)', () => {
    expect(week2.tools.find((tool) => tool.id === 'gcloud')).toMatchObject({ required: false });
  });
});

describe('week 3 (DEZ@f5dc0ec8 week_3_data_warehouse/)', () => {
  const week3 = findWeek(course, '3');

  it("#23 labels the options of q3, q5, q6 and q7 as dec's: the homework lists none (homework.md)", () => {
    for (const id of ['q3', 'q5', 'q6', 'q7']) expect(question(week3, id).ownOptions, id).toBe(true);
    const markdown = questionsMarkdown([question(week3, 'q3')]);
    expect(markdown).toContain("dec's options: the course's homework lists none");
  });

  it('#11 keeps the outline lines, marks the two never taught, and adds the lessons the outline lacks (README.md)', () => {
    expect(titles(week3, (t) => t.taught === false)).toEqual([
      'Loading data to BigQuery & PG',
      'Alternatives (Snowflake/Redshift)',
    ]);
    const all = titles(week3, () => true).join('\n');
    for (const lesson of [
      'Internals of BigQuery',
      'BigQuery ML: deploying a model',
      'integrating BigQuery with Airflow',
    ])
      expect(all).toContain(lesson);
  });
});

describe('week 4 (DEZ@f5dc0ec8 week_4_analytics_engineering/)', () => {
  const week4 = findWeek(course, '4');

  it('#2 numbers the questions as the course does: q2 is the service split (homework.md)', () => {
    const questions = week4.homework?.questions ?? [];
    expect(questions.map((q) => [q.id, q.kind])).toEqual([
      ['q1', 'number'],
      ['q2', 'choice'],
      ['q3', 'number'],
      ['q4', 'number'],
      ['q5', 'choice'],
    ]);
    expect(question(week4, 'q1').question).toMatch(/fact_trips.*picked up in 2019 and 2020/);
    expect(question(week4, 'q2').question).toMatch(/split between the service types/);
    expect(question(week4, 'q3').question).toMatch(/stg_fhv_tripdata/);
    expect(question(week4, 'q4').question).toMatch(/fact_fhv_trips/);
    expect(question(week4, 'q5').question).toMatch(/which month of 2019/);
    for (const id of ['q2', 'q5']) expect(question(week4, id).ownOptions, id).toBe(true);
  });

  it('#3 both FHV counts: no deduplication, pickup in 2019, dim_zones with both zones known (homework.md)', () => {
    const q3 = question(week4, 'q3').question;
    expect(q3).toMatch(/no deduplication step/);
    expect(q3).toMatch(/picked up in 2019/);
    const q4 = question(week4, 'q4').question;
    expect(q4).toMatch(/dim_zones/);
    expect(q4).toMatch(/pickup and drop-off zones are both known, picked up in 2019/);
    expect(template('week-4/models/staging/stg_fhv_tripdata.sql')).toMatch(
      /picked up in 2019[\s\S]*no\s+(--\s+)?deduplication/,
    );
    expect(template('week-4/models/core/fact_fhv_trips.sql')).toMatch(/both known, picked up in 2019/);
  });

  it('#12 adds Metabase and the Postgres + dbt Core videos (README.md)', () => {
    const all = titles(week4, () => true).join('\n');
    expect(all).toContain('Metabase (local installation)');
    expect(all).toContain('Starting a dbt project: Postgres and dbt Core locally');
    expect(all).toContain('Deploying a dbt project: Postgres and dbt Core locally');
    // Lesson time stays the outline's: the added topics sit in a section with a stated time.
    expect(week4.time.text).toBe('1 h 45 min–2 h');
  });
});

describe('week 5 (DEZ@f5dc0ec8 week_5_batch_processing/, DEZ@5cd686a1 cohorts/2022/week_5_batch_processing/)', () => {
  const week5 = findWeek(course, '5');

  it('#5 asks for no yellow or green month after 2021-07, where the course mirror ends (code/05_taxi_schema.ipynb; DEZ@5cd686a1 cohorts/2025/02-workflow-orchestration/homework.md)', () => {
    const late = course.weeks.flatMap((week) =>
      week.datasets
        .filter((use) => use.dataset === 'yellow' || use.dataset === 'green')
        .flatMap((use) => (use.months ?? []).flatMap(monthsOf))
        .filter((month) => month > '2021-07'),
    );
    expect(late).toEqual([]);
    expect(week5.datasets.filter((use) => use.dataset !== 'zones').map((use) => use.months)).toEqual([
      ['2021-01..2021-02'],
      ['2020-01..2021-07'],
      ['2020-01..2021-07'],
    ]);
  });

  it("#15 q2 reads the file with the lessons' schema (homework.md)", () => {
    expect(question(week5, 'q2').question).toMatch(/same schema as the lessons/);
  });

  it('#16 the bonus asks for the join type and the number of stages, not graded (homework.md)', () => {
    const q7 = question(week5, 'q7');
    expect(q7).toMatchObject({ kind: 'text', optional: true });
    expect(q7.question).toMatch(/type of join[\s\S]*how many stages/);
  });

  it('#9 marks Flink and the Airflow lessons as never taught, adds the 5.1-5.3 lessons, and counts neither for time (README.md, code/cloud.md)', () => {
    expect(titles(week5, (t) => t.taught === false)).toEqual([
      'What else is out there (Flink)',
      'BigQuery on Airflow',
      'Spark on Airflow',
    ]);
    const all = titles(week5, () => true).join('\n');
    for (const lesson of [
      'Introduction to batch processing',
      'Installing Spark',
      'SQL with Spark',
      'Running Spark in the cloud',
    ])
      expect(all).toContain(lesson);
    // The Airflow section (30 minutes, nothing taught) no longer adds to the week's time.
    expect(week5.time.text).toBe('≥ 40 min');
  });
});

describe('week 6 (DEZ@f5dc0ec8 week_6_stream_processing/, DEZ@5cd686a1 cohorts/2022/week_6_stream_processing/)', () => {
  const week6 = findWeek(course, '6');
  const concepts = ['q1', 'q2', 'q3', 'q4', 'q5'];

  it("#6 the concept questions are dec's practice questions, worth nothing: the course's were only in its form (homework.md)", () => {
    for (const id of concepts) {
      const q = question(week6, id);
      expect(questionRole(q), id).toBe('practice');
      expect(q.points, id).toBeUndefined();
    }
    expect(question(week6, 'q6')).toMatchObject({ kind: 'url', optional: true });
    expect(formatHomework(week6)).toContain("1 optional + 5 practice (dec's own, not scored)");
    expect(formatHomework(week6)).not.toMatch(/\d+ questions?\b/);
    expect(questionsMarkdown([question(week6, 'q1')])).toContain("practice: dec's own question, not scored");
    expect(answersYaml(week6, [question(week6, 'q1')])).toContain("# Practice: dec's own question");
    expect(template('week-6/README.md')).toMatch(/only in its Google Form/);
  });

  it('#6 practice questions never count: unanswered is skipped, a failing one does not block submitting', () => {
    const unanswered = checkForm(question(week6, 'q1'), undefined);
    expect(unanswered).toMatchObject({ status: 'skipped', practice: true });
    const wrong = checkForm(question(week6, 'q1'), { answer: 'Bananas', sql: '', command: '' });
    expect(wrong).toMatchObject({ status: 'fail', practice: true });
    expect(blockingChecks([unanswered, wrong])).toEqual([]);
    // A graded question still blocks.
    const graded = checkForm(question(findWeek(course, '1'), 'q3'), undefined);
    expect(blockingChecks([wrong, graded]).map((check) => check.id)).toEqual(['q3']);
  });

  it('#10 keeps the outline lines, flags PubSub/Pulsar as never taught, adds KSQL and Faust (README.md)', () => {
    expect(titles(week6, (t) => t.taught === false)).toEqual(['Alternatives (PubSub/Pulsar)']);
    const all = titles(week6, () => true);
    expect(all).toContain('KSQL');
    expect(all).toContain('Python Faust');
  });

  it('#17 tells the student the FAQ fix for the pinned kafka-python==1.4.6 (requirements.txt; FAQ@7757d2a module-6/028)', () => {
    const fix = /kafka-python-ng/;
    expect(week6.tools.find((tool) => tool.id === 'python')?.why).toMatch(fix);
    expect(week6.setup?.summary).toMatch(fix);
    expect(course.stacks.week6!.next!.join('\n')).toMatch(fix);
    expect(template('week-6/README.md')).toMatch(/pip install kafka-python-ng/);
  });

  it('#1 the broker listens on container port 9092 whatever host port --port picks (CPDI@254da6f configure)', () => {
    const broker = (ports: Record<string, number>) =>
      desiredStack('week6', course.stacks.week6!, course.id, { ...noOverrides(), ports }).services.find(
        (s) => s.service === 'broker',
      )!;
    for (const host of [9092, 19092]) {
      const service = broker({ broker: host });
      expect(service.env.KAFKA_LISTENERS).toBe('PLAINTEXT://0.0.0.0:29092,PLAINTEXT_HOST://0.0.0.0:9092');
      expect(service.env.KAFKA_ADVERTISED_LISTENERS).toBe(
        `PLAINTEXT://broker:29092,PLAINTEXT_HOST://localhost:${host}`,
      );
      expect(service.ports.map((p) => [p.host, p.container])).toEqual([[host, 9092]]);
    }
  });

  it("#19 says the course's broker and kafka-tools containers are dec-week6-broker here (docker-compose.yml)", () => {
    expect(course.stacks.week6!.next!.join('\n')).toMatch(/kafka-tools containers are dec-week6-broker/);
  });
});

describe('topics the outline planned but the 2022 course never taught (#9-#12)', () => {
  it('do not count towards finishing a week, and are never the next step', () => {
    const week5 = findWeek(course, '5');
    const state = emptyProgress();
    const taught = week5.topics.filter((topic) => topic.taught !== false && !topic.extra);
    markDone(
      state,
      course.id,
      taught.map((topic) => topicKey(week5, topic)),
      new Date('2026-01-01T00:00:00Z'),
    );
    const progress = summarize(course, state).weeks.find((w) => w.week.id === 'week-5')!;
    expect(progress).toMatchObject({ status: 'done', percent: 100, total: taught.length });
  });
});

describe('the project (DEZ@f5dc0ec8 week_7_project/README.md)', () => {
  const project = findWeek(course, 'project');

  it('#13 keeps the deadlines in "22:00 CET" as the course wrote them, each with its form', () => {
    expect(project.homework).toMatchObject({
      due: '2022-04-04T22:00:00+01:00',
      submit: 'https://forms.gle/6aeVcEVJipqR2BqC8',
      deadlines: [
        { due: '2022-04-11T22:00:00+01:00', submit: 'https://forms.gle/AZ62bXMp4SGcVUmK7' },
        { due: '2022-05-02T22:00:00+01:00', submit: 'https://forms.gle/JECXB9jYQ1vBXbsw6' },
        { due: '2022-05-09T22:00:00+01:00', submit: 'https://forms.gle/Pb2fBwYLQ3GGFsaK6' },
      ],
    });
    expect(formatHomework(project)).toContain('cohort due 2022-04-04 22:00 CET');
    expect(formatSubmissions(project)).toEqual([
      'The cohort submitted at https://forms.gle/6aeVcEVJipqR2BqC8',
      'Peer review of three projects: cohort due 2022-04-11 22:00 CET at https://forms.gle/AZ62bXMp4SGcVUmK7',
      'Second attempt: cohort due 2022-05-02 22:00 CET at https://forms.gle/JECXB9jYQ1vBXbsw6',
      'Second attempt, peer review: cohort due 2022-05-09 22:00 CET at https://forms.gle/Pb2fBwYLQ3GGFsaK6',
    ]);
  });
});

describe('what the schema cannot say about the new fields', () => {
  const syllabusWith = (questionYaml: string) =>
    Buffer.from(
      [
        'schemaVersion: 1',
        'id: tiny',
        'title: Tiny',
        'weeks:',
        '  - number: 1',
        '    id: week-1',
        '    title: One',
        '    topics: [{ title: A }]',
        '    homework:',
        '      summary: S',
        '      questions:',
        questionYaml,
      ].join('\n'),
    );
  const problems = (questionYaml: string): string[] => {
    try {
      parseSyllabus(syllabusWith(questionYaml), 'tiny.yaml');
      return [];
    } catch (error) {
      return (error as { details: string[] }).details;
    }
  };

  it('a practice question is worth no points, and ownOptions needs options', () => {
    expect(problems('        - { id: p, kind: text, question: Q, practice: true, points: 1 }')).toEqual([
      expect.stringMatching(/points: a practice question is dec's own and worth no points/),
    ]);
    expect(problems('        - { id: p, kind: text, question: Q, ownOptions: true }')).toEqual([
      expect.stringMatching(/ownOptions: ownOptions labels the options, so the question needs options/),
    ]);
    expect(problems("        - { id: p, kind: text, question: Q, practice: true, expected: '265' }")).toEqual([]);
  });
});
