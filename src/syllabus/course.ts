// The course as the rest of dec sees it: the validated syllabus with ids filled in and topics numbered.
// Plain JSON (no classes, no Dates) so it can be cached on disk as it is.
import type {
  Dataset,
  DatasetUse,
  Homework,
  Section,
  Setup,
  SyllabusInput,
  TopicInput,
  ToolNeed,
  WeekInput,
} from './schema.js';

export interface CourseTopic extends TopicInput {
  id: string;
  /** 1-based position within its week, as students refer to it. */
  number: number;
}

export interface CourseWeek {
  number: number;
  through?: number;
  id: string;
  module?: string;
  title: string;
  goal?: string;
  instructor?: string;
  duration?: string;
  sections: Section[];
  topics: CourseTopic[];
  tools: ToolNeed[];
  datasets: DatasetUse[];
  setup?: Setup;
  homework?: Homework;
}

export interface Course {
  id: string;
  title: string;
  cohort?: string;
  start?: string;
  source?: string;
  instructors: string[];
  prerequisites: string[];
  datasets: Record<string, Dataset>;
  weeks: CourseWeek[];
  upcoming?: { title: string; items: string[] };
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

export function topicId(topic: TopicInput): string {
  return topic.id ?? (slugify(topic.title) || 'topic');
}

function toWeek(week: WeekInput): CourseWeek {
  return {
    ...week,
    sections: week.sections ?? [],
    topics: week.topics.map((topic, index) => ({ ...topic, id: topicId(topic), number: index + 1 })),
    tools: week.tools ?? [],
    datasets: week.datasets ?? [],
  };
}

export function toCourse(syllabus: SyllabusInput): Course {
  return {
    id: syllabus.id,
    title: syllabus.title,
    cohort: syllabus.cohort,
    start: syllabus.start,
    source: syllabus.source,
    instructors: syllabus.instructors ?? [],
    prerequisites: syllabus.prerequisites ?? [],
    datasets: syllabus.datasets ?? {},
    weeks: [...syllabus.weeks].sort((a, b) => a.number - b.number).map(toWeek),
    upcoming: syllabus.upcoming,
  };
}

/** "7–9" for a span, "3" otherwise. */
export function weekLabel(week: Pick<CourseWeek, 'number' | 'through'>): string {
  return week.through !== undefined && week.through !== week.number ? `${week.number}–${week.through}` : `${week.number}`;
}
