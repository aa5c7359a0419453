"""The shop the assistant serves: its database and tables, queries, rules, seed data and help centre."""
