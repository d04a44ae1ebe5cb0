"""Who is asking: users, roles, passwords, proxy access and conversation grants."""
