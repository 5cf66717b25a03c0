"""The test doubles themselves: the fake embedder is a real Embedder, the scripted chat model a real chat model."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool

from index.embedders import Embedder
from tests.fakes import HashEmbedder, ScriptedChatModel


def test_hash_embedder_is_an_embedder_with_unit_vectors():
    embedder = HashEmbedder(dim=128)
    assert isinstance(embedder, Embedder) and embedder.dim == 128 and embedder.name == "fake-hash-128"
    vectors = embedder.embed_passages(["宁波算力券补贴25%", "Ningbo compute voucher", "  "])
    assert vectors.shape == (3, 128) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-6)
    assert not vectors[2].any()  # blank text has no features: a zero vector, not NaN
    assert embedder.embed_queries([]).shape == (0, 128)


def test_hash_embedder_is_deterministic_across_instances():
    text = ["对企业租用智算中心算力的,按算力合同费用的25%给予补贴"]
    assert np.array_equal(HashEmbedder().embed_passages(text), HashEmbedder().embed_queries(text))


def test_overlapping_texts_are_closer_than_unrelated_ones():
    embedder = HashEmbedder()
    query = embedder.embed_queries(["算力券补贴比例是多少"])[0]
    voucher, talent, english = embedder.embed_passages(
        ["发放算力券。按算力合同费用的25%给予补贴", "引进顶尖人才团队,给予项目资助", "data voucher for companies"]
    )
    assert query @ voucher > 0.2 > query @ talent
    assert query @ voucher > query @ english


def test_scripted_chat_model_replies_in_order_and_records_calls():
    model = ScriptedChatModel().say("第一句[1]。").say("第二句。")
    assert model.invoke([HumanMessage("你好")]).content == "第一句[1]。"
    assert model.invoke("再来").content == "第二句。"
    assert [call["messages"][-1].content for call in model.calls] == ["你好", "再来"]
    with pytest.raises(RuntimeError, match="no scripted reply"):
        model.invoke("没有了")


def test_scripted_chat_model_binds_tools_and_returns_tool_calls():
    @tool
    def calculate_subsidy(program: str, amount_yuan: float) -> str:
        """Compute a subsidy for a programme."""
        return f"{program}: {amount_yuan * 0.25}"

    model = ScriptedChatModel()
    bound = model.bind_tools([calculate_subsidy])
    model.call_tool("calculate_subsidy", {"program": "ningbo_compute_voucher", "amount_yuan": 1_000_000}, call_id="c1")
    model.say("补贴25万元[1]。")

    reply = bound.invoke([HumanMessage("宁波算力合同100万元能补多少?")])
    assert reply.tool_calls == [
        {"name": "calculate_subsidy", "args": {"program": "ningbo_compute_voucher", "amount_yuan": 1_000_000}, "id": "c1", "type": "tool_call"}
    ]
    result = calculate_subsidy.invoke(reply.tool_calls[0]["args"])
    final = bound.invoke([HumanMessage("宁波算力合同100万元能补多少?"), reply, ToolMessage(result, tool_call_id="c1")])
    assert final.content == "补贴25万元[1]。"
    assert [t["function"]["name"] for t in model.calls[0]["tools"]] == ["calculate_subsidy"]
    assert model.last_messages[-1].content == "ningbo_compute_voucher: 250000.0"


def test_scripted_failures_are_raised():
    model = ScriptedChatModel().fail(TimeoutError("scripted timeout"))
    with pytest.raises(TimeoutError, match="scripted timeout"):
        model.invoke("hi")
