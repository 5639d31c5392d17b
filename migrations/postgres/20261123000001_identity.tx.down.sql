DROP TABLE auth_throttle;
DROP TABLE api_keys;
DROP TABLE auth_tokens;
DROP TABLE membership_roles;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE orgs;
