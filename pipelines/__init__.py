"""xinfang: a petition-work (信访) analytics and performance-evaluation warehouse."""

__version__ = "0.1.0"
