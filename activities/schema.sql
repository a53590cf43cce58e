-- The record and report store of the guidance engine (the durable record; Temporal holds where a period stands).
--
-- Applied by activities.db.apply_schema at every worker start, so every statement is idempotent.
-- Each table's primary key is the natural key of the record an activity writes; the activities
-- insert with ON CONFLICT on it, so a retried activity never adds a second row.
-- There are no foreign keys to `periods` on purpose: the audit log and the outbox must keep a
-- record even when another record of the same period is still being retried.

CREATE TABLE IF NOT EXISTS schema_version (
    version     integer PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    description text NOT NULL
);

-- The programme plans periods run on, one row per (name, version), written when a period on it starts: the web
-- app and the reports read a period's phases and meeting gap from the version it runs, not from today's file.
CREATE TABLE IF NOT EXISTS programme_plans (
    plan        text NOT NULL,
    version     text NOT NULL,
    definition  jsonb NOT NULL,  -- domain.programme.ProgrammePlan
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan, version)
);

-- Where each period stands (domain.records.PeriodSnapshot); newer snapshots win (updated_at).
CREATE TABLE IF NOT EXISTS periods (
    workflow_id            text PRIMARY KEY,
    cohort                 text NOT NULL,
    owner_id               text NOT NULL,
    owner_name             text NOT NULL,
    owner_kind             text NOT NULL CHECK (owner_kind IN ('municipality', 'county_authority')),
    county                 text NOT NULL,
    advisers               text[] NOT NULL,
    schools                text[] NOT NULL,
    plan                   text NOT NULL,
    plan_version           text NOT NULL,
    start_date             date NOT NULL,
    ends_at                timestamptz NOT NULL,
    phase                  text NOT NULL CHECK (phase ~ '^[a-z][a-z0-9_]*$'),  -- the plan's phases
    cycle                  integer NOT NULL CHECK (cycle >= 1),
    phase_started_on       date NOT NULL,
    phase_due_at           timestamptz,
    overdue                boolean NOT NULL,
    development_area       text,
    development_area_other text,
    goals                  text[] NOT NULL,
    ended_at               timestamptz,
    end_reason             text,
    updated_at             timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS periods_cohort_idx ON periods (cohort, owner_id);
CREATE INDEX IF NOT EXISTS periods_phase_idx ON periods (phase);
-- Reports ask "which open periods are (or will soon be) overdue": only open periods have a due date.
CREATE INDEX IF NOT EXISTS periods_open_due_idx ON periods (phase_due_at) WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS periods_overdue_idx ON periods (cohort) WHERE overdue;

CREATE TABLE IF NOT EXISTS phase_transitions (
    workflow_id text NOT NULL,
    sequence    integer NOT NULL CHECK (sequence >= 1),
    cycle       integer NOT NULL CHECK (cycle >= 1),
    from_phase  text NOT NULL,
    to_phase    text NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    PRIMARY KEY (workflow_id, sequence)
);

CREATE TABLE IF NOT EXISTS milestones (
    workflow_id      text NOT NULL,
    cycle            integer NOT NULL CHECK (cycle >= 1),
    milestone        text NOT NULL CHECK (milestone ~ '^[a-z][a-z0-9_]*$'),  -- the plan's milestones
    adviser          text NOT NULL,
    note             text NOT NULL,
    recorded_at      timestamptz NOT NULL,
    development_area text,
    goals            text[] NOT NULL,
    PRIMARY KEY (workflow_id, cycle, milestone)
);

-- One row per meeting: a moved meeting keeps its id and replaces the row with a higher sequence.
CREATE TABLE IF NOT EXISTS meetings (
    workflow_id      text NOT NULL,
    meeting_id       text NOT NULL,
    sequence         integer NOT NULL CHECK (sequence >= 0),
    kind             text NOT NULL CHECK (kind ~ '^[a-z][a-z_]*$'),  -- domain.programme.MeetingKind
    meeting_date     date NOT NULL,
    start_time       time NOT NULL,
    timezone         text NOT NULL,
    starts_at        timestamptz NOT NULL,
    duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
    adviser          text NOT NULL,
    schools          text[] NOT NULL,
    title            text NOT NULL,
    scheduled_at     timestamptz NOT NULL,
    PRIMARY KEY (workflow_id, meeting_id)
);
CREATE INDEX IF NOT EXISTS meetings_starts_at_idx ON meetings (starts_at);

CREATE TABLE IF NOT EXISTS reminders (
    workflow_id text NOT NULL,
    notice_key  text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('phase_reminder', 'phase_second_reminder', 'meeting_gap_reminder')),
    phase       text NOT NULL,
    cycle       integer NOT NULL CHECK (cycle >= 1),
    sent_at     timestamptz NOT NULL,
    message     text NOT NULL,
    recipients  text[] NOT NULL,
    PRIMARY KEY (workflow_id, notice_key)
);

CREATE TABLE IF NOT EXISTS escalations (
    workflow_id text NOT NULL,
    notice_key  text NOT NULL,
    phase       text NOT NULL,
    cycle       integer NOT NULL CHECK (cycle >= 1),
    sent_at     timestamptz NOT NULL,
    message     text NOT NULL,
    recipients  text[] NOT NULL,
    PRIMARY KEY (workflow_id, notice_key)
);
CREATE INDEX IF NOT EXISTS escalations_sent_at_idx ON escalations (sent_at);

CREATE TABLE IF NOT EXISTS gatherings (
    workflow_id    text NOT NULL,
    gathering_id   text NOT NULL,
    title          text NOT NULL,
    gathering_date date NOT NULL,
    place          text NOT NULL,
    received_at    timestamptz NOT NULL,
    PRIMARY KEY (workflow_id, gathering_id)
);

CREATE TABLE IF NOT EXISTS final_evaluations (
    workflow_id        text PRIMARY KEY,
    outcome            text NOT NULL CHECK (outcome IN ('completed', 'withdrawn', 'expired')),
    cycles             integer NOT NULL CHECK (cycles >= 1),
    last_working_phase text,
    milestone_count    integer NOT NULL CHECK (milestone_count >= 0),
    meeting_count      integer NOT NULL CHECK (meeting_count >= 0),
    gathering_count    integer NOT NULL CHECK (gathering_count >= 0),
    reminder_count     integer NOT NULL CHECK (reminder_count >= 0),
    escalation_count   integer NOT NULL CHECK (escalation_count >= 0),
    development_area   text,
    goals              text[] NOT NULL,
    ended_at           timestamptz NOT NULL,
    summary            text NOT NULL
);

-- What must be sent, for the mail hand-over to pick up; sent_at is set by whoever sends it.
CREATE TABLE IF NOT EXISTS outbox (
    message_key     text PRIMARY KEY,
    workflow_id     text NOT NULL,
    kind            text NOT NULL CHECK (kind IN (
        'meeting_invitation', 'reminder', 'escalation', 'invitation_letter', 'invitation_reminder')),
    recipients      text[] NOT NULL CHECK (cardinality(recipients) > 0),
    subject         text NOT NULL,
    body            text NOT NULL,
    attachment_name text,
    attachment      text,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    CHECK ((attachment_name IS NULL) = (attachment IS NULL))
);
CREATE INDEX IF NOT EXISTS outbox_unsent_idx ON outbox (created_at) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_workflow_idx ON outbox (workflow_id);

-- Who did what when. Kept after Temporal's retention has dropped the workflow histories.
CREATE TABLE IF NOT EXISTS audit_log (
    workflow_id text NOT NULL,
    event_key   text NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (workflow_id, event_key)
);
CREATE INDEX IF NOT EXISTS audit_log_at_idx ON audit_log (at);
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON audit_log (actor, at);

-- One row per invited school owner of a cohort (domain.records.InvitationRecord); newer rows win.
CREATE TABLE IF NOT EXISTS invitations (
    cohort             text NOT NULL,
    owner_id           text NOT NULL,
    workflow_id        text NOT NULL,
    owner_name         text NOT NULL,
    owner_kind         text NOT NULL CHECK (owner_kind IN ('municipality', 'county_authority')),
    county             text NOT NULL,
    advisers           text[] NOT NULL,
    network            text,
    state              text NOT NULL CHECK (state IN ('invited', 'reminded', 'accepted', 'declined', 'no_reply')),
    reply_by           date NOT NULL,
    no_reply_on        date NOT NULL,
    start_date         date NOT NULL,
    answered_by        text,
    period_workflow_id text,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (cohort, owner_id)
);
CREATE INDEX IF NOT EXISTS invitations_state_idx ON invitations (cohort, state);

INSERT INTO schema_version (version, description)
VALUES (1, 'periods, phase transitions, milestones, meetings, notices, gatherings, final evaluations, outbox, audit log')
ON CONFLICT (version) DO NOTHING;

-- National gatherings of a cohort (CohortWorkflow): one row per gathering, newest sequence
-- wins, and one row per owner invited with the calendar file it was sent.
CREATE TABLE IF NOT EXISTS national_gatherings (
    cohort         text NOT NULL,
    gathering_id   text NOT NULL,
    workflow_id    text NOT NULL,
    title          text NOT NULL,
    gathering_date date NOT NULL,
    place          text NOT NULL,
    sequence       integer NOT NULL CHECK (sequence >= 0),
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (cohort, gathering_id)
);

CREATE TABLE IF NOT EXISTS gathering_guests (
    cohort             text NOT NULL,
    gathering_id       text NOT NULL,
    owner_id           text NOT NULL,
    period_workflow_id text NOT NULL,
    sequence           integer NOT NULL CHECK (sequence >= 0),
    calendar_file      text NOT NULL,
    invited_at         timestamptz NOT NULL,
    PRIMARY KEY (cohort, gathering_id, owner_id)
);

-- The outbox also carries gathering invitations (databases created before keep their rows).
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN (
    'meeting_invitation', 'reminder', 'escalation', 'invitation_letter', 'invitation_reminder',
    'gathering_invitation'));

-- Programme plans name their own phases, milestones and meeting kinds (plans/): databases created when
-- only the flagship's names were allowed get the same format checks as new ones.
ALTER TABLE periods DROP CONSTRAINT IF EXISTS periods_phase_check;
ALTER TABLE periods ADD CONSTRAINT periods_phase_check CHECK (phase ~ '^[a-z][a-z0-9_]*$');
ALTER TABLE milestones DROP CONSTRAINT IF EXISTS milestones_milestone_check;
ALTER TABLE milestones ADD CONSTRAINT milestones_milestone_check CHECK (milestone ~ '^[a-z][a-z0-9_]*$');
ALTER TABLE meetings DROP CONSTRAINT IF EXISTS meetings_kind_check;
ALTER TABLE meetings ADD CONSTRAINT meetings_kind_check CHECK (kind ~ '^[a-z][a-z_]*$');
-- The plan's meeting series a meeting was proposed from (NULL: agreed by an adviser or a network).
ALTER TABLE meetings ADD COLUMN IF NOT EXISTS series text;
ALTER TABLE milestones ADD COLUMN IF NOT EXISTS skipped boolean NOT NULL DEFAULT false;

-- A coordinator's selection decision per cohort (domain.selection_decision.SelectionDecision, written by
-- SelectionDecisionWorkflow): the owners, advisers and start the cohort is started from, who decided and when,
-- and the SHA-256 of the indicator file the shortlist was scored from.
CREATE TABLE IF NOT EXISTS selection_decisions (
    cohort         text PRIMARY KEY,
    decision       jsonb NOT NULL,
    decided_by     text NOT NULL,
    decided_at     timestamptz NOT NULL,
    indicator_file text NOT NULL CHECK (indicator_file ~ '^[0-9a-f]{64}$')
);

-- Mail delivery of the outbox (activities/mail_delivery.py): the Message-ID every send of an entry carries,
-- the server's answer, and the refusals: refused for now (attempts, next_attempt_at) or for good (failed_at).
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS message_id text;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS smtp_reply text;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS last_error text;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS failed_at timestamptz;
CREATE INDEX IF NOT EXISTS outbox_due_idx ON outbox (created_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- The language an entry is written in (activities/recipients.py chooses it per recipient): the mail's
-- Content-Language, and the letter page's lang (a screen reader reads a nynorsk letter in nynorsk). Entries
-- written before it have none.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS language text CHECK (language IN ('nb', 'nn', 'sv', 'en'));

-- A cancelled meeting (`cancel_meeting`, or its period withdrawn) keeps its row, marked when it was cancelled; its
-- CANCEL goes through the outbox as its invitations did (NULL: the meeting stands).
ALTER TABLE meetings ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;

-- The school owner's contact person of a period (domain/contacts.py, written by OwnerContactWorkflow): whom its
-- invitations reach at the owner, who set it and when. Personal data: the retention job deletes the row.
CREATE TABLE IF NOT EXISTS owner_contacts (
    workflow_id text PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    phone       text CHECK (length(phone) <= 30),
    role        text CHECK (length(role) <= 200),
    set_by      text NOT NULL,
    set_at      timestamptz NOT NULL
);

-- The follow-up scheme (plans/oppfolgingsordningen.toml): a milestone may record the partner the owner's support is
-- agreed with (the guidance corps, or an expert partner by name) or a report handed in (its day and its case
-- number or web address); a phase may warn its advisers before it is due (a reminder of kind 'at_risk'), and
-- the period's row says from when its phase is at risk (NULL: its plan has no such warning).
ALTER TABLE milestones ADD COLUMN IF NOT EXISTS partner text CHECK (partner IN ('guidance_corps', 'expert_partner'));
ALTER TABLE milestones ADD COLUMN IF NOT EXISTS partner_name text;
ALTER TABLE milestones ADD COLUMN IF NOT EXISTS report_date date;
ALTER TABLE milestones ADD COLUMN IF NOT EXISTS report_ref text CHECK (char_length(report_ref) <= 300);
ALTER TABLE reminders DROP CONSTRAINT IF EXISTS reminders_kind_check;
ALTER TABLE reminders ADD CONSTRAINT reminders_kind_check CHECK (
    kind IN ('phase_reminder', 'phase_second_reminder', 'meeting_gap_reminder', 'at_risk'));
ALTER TABLE periods ADD COLUMN IF NOT EXISTS at_risk_at timestamptz;
-- Competence environments of a period (`record_competence_environment`, domain.records.CompetenceEnvironmentRecord):
-- one row per environment proposed in a cycle, where it stands and the day of each step; the newest step wins
-- (updated_at). The name and kind are the register's when it was proposed (config/data/competence_environments.toml).
CREATE TABLE IF NOT EXISTS competence_environments (
    workflow_id      text NOT NULL,
    cycle            integer NOT NULL CHECK (cycle >= 1),
    environment_id   text NOT NULL CHECK (environment_id ~ '^[a-z][a-z0-9_-]*$'),
    name             text NOT NULL,
    kind             text NOT NULL,
    development_area text NOT NULL,
    state            text NOT NULL CHECK (state IN ('proposed', 'contacted', 'agreed')),
    proposed_on      date NOT NULL,
    contacted_on     date,
    agreed_on        date,
    note             text NOT NULL DEFAULT '',
    adviser          text NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (workflow_id, cycle, environment_id)
);
-- The county governor's assessment of a cohort's spread-track owners (domain.assessment, written by
-- CountyAssessmentWorkflow): one row per owner, newer rows win; the letters go through the outbox.
CREATE TABLE IF NOT EXISTS county_assessments (
    cohort         text NOT NULL,
    owner_id       text NOT NULL,
    workflow_id    text NOT NULL,
    owner_name     text NOT NULL,
    county         text NOT NULL CHECK (county ~ '^\d{2}$'),
    rank           integer NOT NULL CHECK (rank >= 1),
    state          text NOT NULL CHECK (state IN ('requested', 'reminded', 'answered', 'no_reply')),
    requested_by   text NOT NULL,
    reply_by       date NOT NULL,
    assessment     text CHECK (char_length(assessment) <= 4000),
    priority       integer CHECK (priority >= 1),
    recorded_by    text,
    recorded_as    text CHECK (recorded_as IN ('county_governor', 'coordinator')),
    indicator_file text CHECK (indicator_file ~ '^[0-9a-f]{64}$'),
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (cohort, owner_id),
    CHECK ((state = 'answered') = (assessment IS NOT NULL AND priority IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS county_assessments_county_idx ON county_assessments (county, cohort);
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN (
    'meeting_invitation', 'reminder', 'escalation', 'invitation_letter', 'invitation_reminder',
    'gathering_invitation', 'assessment_request', 'assessment_reminder'));

-- The web app's own state, shared by every instance of it: a deployment runs several web-app processes behind a
-- load balancer on one database, so nothing one instance knows may live only in its memory or its disk. The web
-- app writes these tables and no other (every record goes through Temporal); the worker never reads them.

-- The secret the web app signs its cookies and feed addresses with, when none is configured: made by the first
-- instance that starts, read by every other, so a cookie or a feed address from one instance works on all.
CREATE TABLE IF NOT EXISTS web_secret (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    secret   text NOT NULL CHECK (char_length(secret) >= 32),
    made_at  timestamptz NOT NULL DEFAULT now()
);

-- Each user's session generation (webapp/sessions.py): a session holds the generation of its sign-in, and
-- signing out raises it, so every earlier session of that user (and any copy of its cookie) stops working on
-- every instance at once. No row: generation 0.
CREATE TABLE IF NOT EXISTS web_session_generations (
    user_name  text PRIMARY KEY,
    generation bigint NOT NULL CHECK (generation >= 1),
    revoked_at timestamptz NOT NULL
);

-- Sign-in attempts counted as failed (webapp/throttle.py): each attempt is counted before its password is checked and
-- taken back if it succeeds, one row per attempt and key (a user name's or a client address's, as an HMAC digest: a
-- name typed wrongly may be a password). Rows older than the window are deleted as others come.
CREATE TABLE IF NOT EXISTS web_sign_in_failures (
    key_digest text NOT NULL CHECK (key_digest ~ '^[0-9a-f]{64}$'),
    attempt    uuid NOT NULL,
    failed_at  timestamptz NOT NULL,
    PRIMARY KEY (key_digest, attempt)
);
CREATE INDEX IF NOT EXISTS web_sign_in_failures_at_idx ON web_sign_in_failures (failed_at);

-- The PDF render slots (webapp/render_slots.py): a render takes a free slot for at most its lease, so the
-- deployment as a whole runs at most as many Chromiums as slots; a slot of an instance that died frees itself
-- when its lease runs out.
CREATE TABLE IF NOT EXISTS web_render_slots (
    slot       integer PRIMARY KEY CHECK (slot >= 0),
    held_by    text,
    held_until timestamptz NOT NULL DEFAULT '-infinity'
);

-- The indicator files coordinators upload in the web app (webapp/indicator_files.py), by the SHA-256 of their bytes:
-- each file's name, who uploaded it and when (its first upload's), and its content. Written by the web app, read by
-- the web app and by `guidance report outcomes` (a decision's file): every instance of the web app serves the same
-- files, so they live here and not on one instance's disk.
CREATE TABLE IF NOT EXISTS web_indicator_files (
    sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    name        text NOT NULL,
    size        integer NOT NULL CHECK (size >= 0),
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL,
    content     bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS web_indicator_files_uploaded_at_idx ON web_indicator_files (uploaded_at);
