-- Runs once when the compose Postgres volume is created. The migrations create the role if it is
-- missing (without a password, for trust-auth servers); here it gets a password first.
CREATE ROLE twofold_app LOGIN NOINHERIT PASSWORD 'twofold_app';
