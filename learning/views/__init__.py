"""The learning pages: topics, setting work, the child's space and moderation."""
