-- Reference data of a school: courses with their modules and assignments,
-- cohorts, students, enrollments with curator history, products and orders.
-- Dates without time (cohort dates, birth dates) are ISO text: YYYY-MM-DD.
-- Rows from the LMS keep (source, external_id), unique per school, which
-- makes ingestion idempotent.

CREATE TABLE courses (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    title        text NOT NULL,
    description  text NOT NULL DEFAULT '',
    status       text NOT NULL CHECK (status IN ('active', 'archived')),
    source       text,
    external_id  text,
    created_at   timestamp NOT NULL,
    updated_at   timestamp NOT NULL,
    version      integer NOT NULL DEFAULT 1
);
CREATE INDEX courses_org_idx ON courses (org_id, id);
CREATE UNIQUE INDEX courses_external_idx ON courses (org_id, source, external_id);

CREATE TABLE course_modules (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    course_id   text NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    title       text NOT NULL,
    UNIQUE (course_id, position)
);

CREATE TABLE assignments (
    id                     text PRIMARY KEY,
    org_id                 text NOT NULL REFERENCES orgs (id),
    course_id              text NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    module_id              text NOT NULL REFERENCES course_modules (id) ON DELETE CASCADE,
    position               integer NOT NULL,
    title                  text NOT NULL,
    kind                   text NOT NULL CHECK (kind IN ('regular', 'final_project')),
    review_target_minutes  integer NOT NULL,
    rubric                 text NOT NULL,
    source                 text,
    external_id            text,
    UNIQUE (module_id, position)
);
CREATE INDEX assignments_course_idx ON assignments (org_id, course_id);
CREATE UNIQUE INDEX assignments_external_idx ON assignments (org_id, source, external_id);

CREATE TABLE cohorts (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    course_id    text NOT NULL REFERENCES courses (id),
    name         text NOT NULL,
    starts_on    text NOT NULL,
    ends_on      text NOT NULL,
    status       text NOT NULL CHECK (status IN ('planned', 'active', 'finished', 'archived')),
    source       text,
    external_id  text,
    created_at   timestamp NOT NULL,
    updated_at   timestamp NOT NULL,
    version      integer NOT NULL DEFAULT 1
);
CREATE INDEX cohorts_org_idx ON cohorts (org_id, course_id, id);
CREATE UNIQUE INDEX cohorts_external_idx ON cohorts (org_id, source, external_id);

CREATE TABLE students (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    full_name    text NOT NULL,
    -- full_name folded for search (lower case, ё as е), kept by the service.
    name_key     text NOT NULL,
    email        text,
    telegram     text,
    phone        text,
    birth_date   text,
    erased_at    timestamp,
    source       text,
    external_id  text,
    created_at   timestamp NOT NULL,
    updated_at   timestamp NOT NULL,
    version      integer NOT NULL DEFAULT 1
);
CREATE INDEX students_org_idx ON students (org_id, id);
CREATE UNIQUE INDEX students_external_idx ON students (org_id, source, external_id);
CREATE INDEX students_email_idx ON students (org_id, lower(email));

CREATE TABLE enrollments (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    student_id   text NOT NULL REFERENCES students (id),
    cohort_id    text NOT NULL REFERENCES cohorts (id),
    tariff       text NOT NULL DEFAULT '',
    status       text NOT NULL CHECK (status IN ('active', 'completed', 'dropped', 'refunded')),
    curator_id   text REFERENCES users (id),
    enrolled_at  timestamp NOT NULL,
    source       text,
    external_id  text,
    created_at   timestamp NOT NULL,
    updated_at   timestamp NOT NULL,
    version      integer NOT NULL DEFAULT 1,
    UNIQUE (org_id, student_id, cohort_id)
);
CREATE INDEX enrollments_cohort_idx ON enrollments (org_id, cohort_id, id);
CREATE INDEX enrollments_curator_idx ON enrollments (org_id, curator_id, status);
CREATE INDEX enrollments_student_idx ON enrollments (org_id, student_id);
CREATE UNIQUE INDEX enrollments_external_idx ON enrollments (org_id, source, external_id);

-- Every change of an enrollment's curator, append-only.
CREATE TABLE curator_assignments (
    id                  text PRIMARY KEY,
    org_id              text NOT NULL REFERENCES orgs (id),
    enrollment_id       text NOT NULL REFERENCES enrollments (id),
    curator_id          text REFERENCES users (id),
    previous_curator_id text REFERENCES users (id),
    reason              text NOT NULL DEFAULT '',
    assigned_by         text NOT NULL DEFAULT '',
    assigned_at         timestamp NOT NULL
);
CREATE INDEX curator_assignments_enrollment_idx ON curator_assignments (org_id, enrollment_id, id);

CREATE TABLE products (
    id            text PRIMARY KEY,
    org_id        text NOT NULL REFERENCES orgs (id),
    kind          text NOT NULL CHECK (kind IN ('course', 'consultation', 'mentoring', 'club_subscription')),
    title         text NOT NULL,
    course_id     text REFERENCES courses (id),
    price_amount  integer NOT NULL CHECK (price_amount >= 0),
    currency      text NOT NULL,
    status        text NOT NULL CHECK (status IN ('active', 'archived')),
    source        text,
    external_id   text,
    created_at    timestamp NOT NULL,
    updated_at    timestamp NOT NULL,
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX products_org_idx ON products (org_id, id);
CREATE UNIQUE INDEX products_external_idx ON products (org_id, source, external_id);

-- Orders are paid purchases; they are never edited. Refunds are rows of
-- their own, and an order's refunded state is derived from them.
CREATE TABLE orders (
    id                text PRIMARY KEY,
    org_id            text NOT NULL REFERENCES orgs (id),
    student_id        text NOT NULL REFERENCES students (id),
    product_id        text REFERENCES products (id),
    cohort_id         text REFERENCES cohorts (id),
    amount            integer NOT NULL CHECK (amount > 0),
    currency          text NOT NULL,
    payment_method    text NOT NULL CHECK (payment_method IN ('card', 'instalment', 'bank_transfer', 'cash', 'other')),
    instalment_months integer NOT NULL DEFAULT 0,
    paid_at           timestamp NOT NULL,
    source            text,
    external_id       text,
    created_at        timestamp NOT NULL
);
CREATE INDEX orders_student_idx ON orders (org_id, student_id);
CREATE INDEX orders_org_idx ON orders (org_id, id);
CREATE UNIQUE INDEX orders_external_idx ON orders (org_id, source, external_id);

CREATE TABLE order_refunds (
    id           text PRIMARY KEY,
    org_id       text NOT NULL REFERENCES orgs (id),
    order_id     text NOT NULL REFERENCES orders (id),
    amount       integer NOT NULL CHECK (amount > 0),
    refunded_at  timestamp NOT NULL,
    reason       text NOT NULL DEFAULT '',
    source       text,
    external_id  text,
    created_at   timestamp NOT NULL
);
CREATE INDEX order_refunds_order_idx ON order_refunds (org_id, order_id);
CREATE UNIQUE INDEX order_refunds_external_idx ON order_refunds (org_id, source, external_id);

-- Business calendars: the specification is JSON (see modules/platform/bizcal).
CREATE TABLE calendars (
    id          text PRIMARY KEY,
    org_id      text NOT NULL REFERENCES orgs (id),
    name        text NOT NULL,
    is_default  boolean NOT NULL DEFAULT 0,
    spec        text NOT NULL,
    created_at  timestamp NOT NULL,
    updated_at  timestamp NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    UNIQUE (org_id, name)
);
