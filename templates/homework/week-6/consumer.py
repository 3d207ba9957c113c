"""Week {{week}} homework ({{cohort}} cohort): a Kafka consumer that reads JSON messages.

Run with: python consumer.py    (Ctrl-C to stop)
Fill in the TODOs: the topic, the consumer group, and what to do with each message.
"""
# Student: {{student}}

import json
import os

from kafka import KafkaConsumer

BOOTSTRAP_SERVERS = ["localhost:9092"]
# TODO: the same topic as producer.py.
TOPIC = os.environ.get("KAFKA_TOPIC", "rides_json")
# Consumers with the same group id share the topic's partitions; a new group id reads from the start again.
GROUP_ID = "week{{week}}-homework"


def main() -> None:
    consumer = KafkaConsumer(
        TOPIC,
        bootstrap_servers=BOOTSTRAP_SERVERS,
        group_id=GROUP_ID,
        auto_offset_reset="earliest",  # a new group starts at the oldest message
        key_deserializer=lambda key: key.decode("utf-8") if key is not None else None,
        value_deserializer=lambda value: json.loads(value.decode("utf-8")),
    )
    received = 0
    try:
        for message in consumer:
            # TODO: do something useful with message.value, e.g. count rides per key.
            print(f"{message.topic}[{message.partition}]@{message.offset} key={message.key} value={message.value}")
            received += 1
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()  # commits the offsets and leaves the group cleanly
    print(f"Received {received} messages from {TOPIC}.")


if __name__ == "__main__":
    main()
