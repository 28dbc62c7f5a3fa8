-- Email channels (issue 18): how many emails each tenant was sent per clock hour, so the
-- per-tenant cap (SUNDIAL_NOTIFY_EMAIL_PER_TENANT_HOUR) holds however many nodes send; a
-- tenant keeps only its current hour's row. And the receiver's last answer in words on each
-- delivery (an SMTP relay's reply, e.g. "2.0.0 Ok: queued as 4F2C1").

CREATE TABLE notify_email_counts (
    tenant_id  BIGINT NOT NULL,
    -- The hour's first instant, in epoch milliseconds.
    hour_start BIGINT NOT NULL,
    sent       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, hour_start)
);

ALTER TABLE notify_deliveries ADD COLUMN response TEXT;
