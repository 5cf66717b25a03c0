"""Answers questions about AI-industry support policies with clause citations and exact subsidy arithmetic."""
