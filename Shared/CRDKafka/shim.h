// librdkafka's client API and its mock cluster API (development and tests only).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
