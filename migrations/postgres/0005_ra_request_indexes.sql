-- The RA looks a device's requests up by enrollment certificate (request
-- policy, shared database) and the worker its pending requests: without
-- these every provisioning request scanned the whole table. Keep in step
-- with ../sqlite/0005_ra_request_indexes.sql.
CREATE INDEX ra_requests_enrollment ON ra_requests (enrollment);
CREATE INDEX ra_requests_pending ON ra_requests (pending);
