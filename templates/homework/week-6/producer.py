"""Week {{week}} homework ({{cohort}} cohort): a Kafka producer that sends JSON messages.

Run with: python producer.py [rides.csv]
Fill in the TODOs: the topic, where the records come from, and the key of each message.
"""
# Student: {{student}}

import csv
import json
import os
import sys
from typing import Any, Dict, Iterator

from kafka import KafkaProducer

BOOTSTRAP_SERVERS = ["localhost:9092"]
# TODO: the topic the homework asks for; the consumer must read the same one.
TOPIC = os.environ.get("KAFKA_TOPIC", "rides_json")


def json_serializer(value: Any) -> bytes:
    # default=str turns values JSON cannot encode (dates, decimals) into strings.
    return json.dumps(value, default=str).encode("utf-8")


def read_records(path: str) -> Iterator[Dict[str, str]]:
    """One dict per CSV row. TODO: convert the columns you need to numbers or timestamps."""
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "rides.csv"
    producer = KafkaProducer(
        bootstrap_servers=BOOTSTRAP_SERVERS,
        key_serializer=lambda key: str(key).encode("utf-8"),
        value_serializer=json_serializer,
    )
    sent = 0
    try:
        for record in read_records(path):
            # TODO: choose the key. Messages with the same key go to the same partition, in order.
            key = record.get("PULocationID", sent)
            producer.send(TOPIC, key=key, value=record)
            sent += 1
    except KeyboardInterrupt:
        print("Interrupted.")
    finally:
        producer.flush()  # wait until every buffered message is delivered
        producer.close()
    print(f"Sent {sent} messages to {TOPIC}.")


if __name__ == "__main__":
    main()
