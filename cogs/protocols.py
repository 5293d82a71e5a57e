"""What the Discord layer needs from the answering core, as a typed interface.

``retrieval.service.SummitService`` satisfies it; nothing in ``cogs/`` imports retrieval internals,
so the cogs can be read (and type-checked) without knowing how retrieval works. Every method is
synchronous and CPU-bound: cogs call them only through ``asyncio.to_thread``.
"""

from __future__ import annotations

from typing import Protocol

from retrieval.types import Answer, Document, IndexStats, Passage, Positions, Summary, Topic


class AnsweringService(Protocol):
    def ask(self, question: str) -> Answer: ...

    def summary(self, topic: str) -> Summary: ...

    def positions(self, topic: str) -> Positions: ...

    def topics(self) -> list[Topic]: ...

    def source(self, paragraph: int, doc: str | None = None) -> Passage: ...

    def documents(self) -> list[Document]: ...

    def document(self, doc_id: str) -> Document: ...

    def reindex(self) -> IndexStats: ...
