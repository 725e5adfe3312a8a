"""Running RRP in production: the application server command, health and readiness checks for a load
balancer, background work and its schedule, reminders, backups (docs/deploy.md)."""
