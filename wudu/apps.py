from django.apps import AppConfig


class WuduConfig(AppConfig):
    name = "wudu"
    verbose_name = "网格通"
