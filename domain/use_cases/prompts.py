"""Instruction templates (see the Qwen3 facts): policy, so it lives in the domain."""

from __future__ import annotations

from domain.models import ModelInfo, PromptType

QWEN3_DEFAULT_TASK = "Given a web search query, retrieve relevant passages that answer the query"


def instruct_query(instruction: str, text: str) -> str:
    # Exact Qwen3 template: newline after the task and no space after "Query:".
    return f"Instruct: {instruction}\nQuery:{text}"


def apply_prompt(model: ModelInfo, text: str, instruction: str | None, prompt_type: PromptType | None) -> str:
    """The text the model must see.

    - instruction-aware model + instruction → `Instruct: {instruction}\\nQuery:{text}`
    - instruction-aware model + prompt_type query → the model's default instruction
    - documents get no instruction
    - other models use their own configured prompt for the prompt type, or none
    """
    if model.instruction_aware:
        if prompt_type is PromptType.DOCUMENT:
            return text
        if instruction:
            return instruct_query(instruction, text)
        if prompt_type is PromptType.QUERY:
            return instruct_query(model.default_instruction or QWEN3_DEFAULT_TASK, text)
        return text
    if prompt_type is not None:
        return model.prompts.get(prompt_type.value, "") + text
    return text
