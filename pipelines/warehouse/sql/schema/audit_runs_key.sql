-- the case-key fingerprint of the run (docs/outputs.md, "Key custody"); added to older run logs
alter table audit.runs add column if not exists key_fingerprint varchar
