"""Instruction templates (see the Qwen3 facts): policy, so it lives in the domain."""

from __future__ import annotations

from domain.models import ModelInfo, PromptType

QWEN3_DEFAULT_TASK = "Given a web search query, retrieve relevant passages that answer the query"


def instruct_query(instruction: str, text: str) -> str:
    # Exact Qwen3 template: newline after the task and no space after "Query:".
    return f"Instruct: {instruction}\nQuery:{text}"


def apply_prompt(model: ModelInfo, text: str, instruction: str | None, prompt_type: PromptType | None) -> str:
    """The text the model must see.

    - documents get no instruction (the model's own document prompt, if any)
    - an explicit instruction → `Instruct: {instruction}\nQuery:{text}` for ANY model: the seed worker
      does so, and indexes built through it must get the same vectors
    - instruction-aware model + prompt_type query → its default instruction
    - instruction-aware model, other prompt types → its own prompt of that name, or none
    - other models use their own configured prompt for the prompt type, or none
    """
    if prompt_type is PromptType.DOCUMENT:
        return (model.prompts.get(prompt_type.value, "") if not model.instruction_aware else "") + text
    if instruction:
        return instruct_query(instruction, text)
    if model.instruction_aware and prompt_type is PromptType.QUERY:
        return instruct_query(model.default_instruction or QWEN3_DEFAULT_TASK, text)
    if prompt_type is not None:
        return model.prompts.get(prompt_type.value, "") + text
    return text
