"""Writes the demo's status inputs into examples/: each demo client's task register and requests
log (and decisions and risks), as a project manager would have them at the end of the demo week
(2027-W05, Sunday 7 February 2027). Run after changing the data below; commit what it writes.

- acme-shop: Jira's CSV export as it comes (repeated Labels, Watchers, Sprint, Fix versions and
  Attachment columns, Jira's dates "02/Feb/27 03:26 PM" and the ISO form in a date custom field,
  estimates in seconds, Polish status names); its requests log a CSV with the service log's
  Polish headers.
- sever-logistics, harbor-health, huaxin-retail: simple tables (the register's own columns, the
  statuses and sides in the client's language); huaxin-retail's requests log is the pack's
  service_log.xlsx, filled in; harbor-health's times carry their offsets (its people are in New York).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "lib" / "pmworkbook" / "examples"
D = dt.date.fromisoformat


def write_csv(name: str, rows: list[list[object]]) -> None:
    with (EXAMPLES / name).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def jira_time(moment: dt.datetime) -> str:
    """Jira's export form: 02/Feb/27 03:26 PM (English month names, whatever the statuses' language)."""
    return moment.strftime("%d/%b/%y %I:%M %p")


def jira_day(day: dt.date) -> str:
    return day.strftime("%d/%b/%y")


# ----------------------------------------------------------------------------- acme-shop (Jira)

# key, summary, status, assignee, fix version, start, due, estimate h, spent h, resolved (date), labels
ACME = [
    (1, "Warsztat otwierający z zespołem ACME", "Gotowe", "Marta Wiśniewska", "Koncepcja", "2027-01-11", "2027-01-12", 8, 9, "2027-01-12", ["warsztat"]),
    (2, "Analiza obecnego sklepu i danych sprzedażowych", "Gotowe", "Agnieszka Zając", "Koncepcja", "2027-01-12", "2027-01-20", 24, 22, "2027-01-19", ["analiza"]),
    (3, "Wywiady z klientami sklepu (8 rozmów)", "Gotowe", "Tomasz Wójcik", "Koncepcja", "2027-01-13", "2027-01-27", 32, 36, "2027-01-28", ["ux", "badania"]),
    (4, "Dostarczenie danych o asortymencie i cennikach", "Gotowe", "Anna Nowak", "Koncepcja", "2027-01-12", "2027-01-22", None, None, "2027-01-26", ["klient"]),
    (5, "Mapa serwisu i architektura informacji", "Gotowe", "Tomasz Wójcik", "Koncepcja", "2027-01-25", "2027-02-05", 24, 26, "2027-02-04", ["ux"]),
    (6, "Makiety kluczowych ekranów: strona główna, lista, karta produktu", "W toku", "Katarzyna Mazur", "Koncepcja", "2027-01-27", "2027-02-09", 40, 30, None, ["ux", "makiety"]),
    (7, "Makiety koszyka i składania zamówienia", "W toku", "Katarzyna Mazur", "Koncepcja", "2027-02-01", "2027-02-11", 32, 12, None, ["ux", "makiety"]),
    (8, "Dostęp do API systemu ERP (środowisko testowe)", "Do zrobienia", "Anna Nowak", "Koncepcja", "2027-01-18", "2027-02-03", None, None, None, ["klient", "erp"]),
    (9, "Specyfikacja integracji z ERP", "W toku", "Paweł Kamiński", "Koncepcja", "2027-02-04", "2027-02-17", 40, 10, None, ["erp"]),
    (10, "Rekomendacja bramki płatności", "Do zrobienia", "Michał Dąbrowski", "Koncepcja", "2027-02-01", "2027-02-10", 12, None, None, ["płatności"]),
    (11, "Akceptacja koncepcji przez zarząd ACME", "Do zrobienia", "Piotr Zieliński", "Koncepcja", "2027-02-12", "2027-02-15", None, None, None, ["klient"]),
    (12, "Dokument koncepcji – wersja do akceptacji", "Do zrobienia", "Marta Wiśniewska", "Koncepcja", "2027-02-08", "2027-02-12", 16, None, None, []),
    (13, "Plan testów akceptacyjnych", "W przeglądzie", "Agnieszka Zając", "Koncepcja", "2027-02-03", "2027-02-12", 12, 9, None, ["testy"]),
    (14, "Design system: kolory, typografia, komponenty", "Do zrobienia", "Katarzyna Mazur", "Prototyp", "2027-02-16", "2027-03-05", 48, None, None, ["ui"]),
    (15, "Prototyp klikalny ścieżki zakupowej", "Do zrobienia", "Tomasz Wójcik", "Prototyp", "2027-03-01", "2027-03-26", 60, None, None, ["ux"]),
    (16, "Testy użyteczności prototypu (5 osób)", "Do zrobienia", "Tomasz Wójcik", "Prototyp", "2027-03-29", "2027-04-07", 24, None, None, ["badania"]),
    (17, "Środowisko deweloperskie i CI", "Do zrobienia", "Paweł Kamiński", "Prototyp", "2027-02-15", "2027-02-26", 20, None, None, ["dev"]),
    (18, "Integracja z ERP: odczyt stanów magazynowych", "Do zrobienia", "Paweł Kamiński", "Prototyp", "2027-03-01", "2027-03-31", 80, None, None, ["erp", "dev"]),
    (19, "Treści stron informacyjnych (regulamin, dostawa, zwroty)", "Do zrobienia", "Anna Nowak", "Prototyp", "2027-03-01", "2027-03-31", None, None, None, ["klient", "treści"]),
    (20, "Akceptacja prototypu", "Do zrobienia", "Piotr Zieliński", "Prototyp", "2027-04-12", "2027-04-16", None, None, None, ["klient"]),
    (21, "Koszyk i płatności – implementacja", "Do zrobienia", "Michał Dąbrowski", "Uruchomienie", "2027-04-19", "2027-05-21", 120, None, None, ["dev"]),
    (22, "Migracja danych produktów ze starego sklepu", "Do zrobienia", "Paweł Kamiński", "Uruchomienie", "2027-05-04", "2027-05-28", 60, None, None, ["dev", "dane"]),
    (23, "Testy akceptacyjne użytkowników", "Do zrobienia", "Anna Nowak", "Uruchomienie", "2027-05-31", "2027-06-09", None, None, None, ["klient", "testy"]),
    (24, "Szkolenie zespołu ACME z panelu administracyjnego", "Do zrobienia", "Marta Wiśniewska", "Uruchomienie", "2027-06-07", "2027-06-10", 12, None, None, []),
    (25, "Uruchomienie produkcyjne i nadzór powdrożeniowy", "Do zrobienia", "Paweł Kamiński", "Uruchomienie", "2027-06-14", "2027-06-15", 24, None, None, ["dev"]),
    (26, "Raport z wywiadów z klientami", "Gotowe", "Tomasz Wójcik", "Koncepcja", "2027-01-28", "2027-02-03", 12, 14, "2027-02-02", ["badania"]),
    (27, "Benchmark pięciu sklepów konkurencji", "Gotowe", "Agnieszka Zając", "Koncepcja", "2027-01-20", "2027-02-02", 16, 15, "2027-02-03", ["analiza"]),
    (28, "Persony i ścieżki klientów", "Gotowe", "Tomasz Wójcik", "Koncepcja", "2027-01-28", "2027-02-05", 16, 18, "2027-02-05", ["ux"]),
]


def acme_tasks() -> list[list[object]]:
    header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name", "Project type",
              "Project lead", "Priority", "Resolution", "Assignee", "Reporter", "Creator", "Created", "Updated", "Last Viewed",
              "Resolved", "Fix versions", "Fix versions", "Component/s", "Due date", "Votes", "Labels", "Labels", "Labels",
              "Description", "Environment", "Watchers", "Watchers", "Watchers", "Original Estimate", "Remaining Estimate",
              "Time Spent", "Work Ratio", "Σ Original Estimate", "Σ Remaining Estimate", "Σ Time Spent", "Security Level",
              "Attachment", "Attachment", "Custom field (Start date)", "Custom field (Story Points)", "Sprint", "Sprint",
              "Status Category", "Comment", "Comment"]
    rows: list[list[object]] = [header]
    category = {"Gotowe": "Done", "W toku": "In Progress", "W przeglądzie": "In Progress", "Do zrobienia": "To Do"}
    for number, summary, status, assignee, version, start, due, estimate, spent, resolved, labels in ACME:
        # Planned at the kickoff (8-12 January) or, for the issues added since, a few days before they start.
        created = dt.datetime.combine(D(start) - dt.timedelta(days=3 if number > 3 else 0), dt.time(9, 12 + number))
        created = min(max(created, dt.datetime(2027, 1, 8, 15, 40 + number % 10)),
                      dt.datetime(2027, 1, 12, 10, number) if number < 26 else dt.datetime(2027, 1, 26, 11, number))
        resolved_at = dt.datetime.combine(D(resolved), dt.time(16, 5 + number)) if resolved else None
        updated = resolved_at or dt.datetime(2027, 2, 5, 11, number % 50)
        estimate_s = int(estimate * 3600) if estimate else ""
        spent_s = int(spent * 3600) if spent else ""
        remaining = int(max((estimate or 0) - (spent or 0), 0) * 3600) if estimate and status != "Gotowe" else (0 if estimate else "")
        ratio = f"{round(100 * spent / estimate)}%" if estimate and spent else ""
        sprint = "SKLEP Sprint 1" if D(start) < D("2027-01-25") else "SKLEP Sprint 2" if D(start) < D("2027-02-08") else ""
        padded = [*labels, "", "", ""][:3]
        rows.append([
            summary, f"SKLEP-{number}", 10400 + number, "Zadanie", status, "SKLEP", "Nowy sklep internetowy", "software",
            "Marta Wiśniewska", "Średni" if number % 3 else "Wysoki", "Gotowe" if status == "Gotowe" else "", assignee,
            "Marta Wiśniewska", "Marta Wiśniewska", jira_time(created), jira_time(updated), "", jira_time(resolved_at) if resolved_at else "",
            version, "", "Sklep" if number % 2 else "Integracje", jira_day(D(due)), 0, *padded, "", "",
            "Marta Wiśniewska", assignee if assignee != "Marta Wiśniewska" else "", "Jan Kowalski" if number % 4 == 0 else "",
            estimate_s, remaining, spent_s, ratio, estimate_s, remaining, spent_s, "",
            f"02/Feb/27 10:1{number % 10} AM;{assignee};makieta-{number}.pdf;https://jira.studio-nord.example/secure/attachment/{9000 + number}" if number in (6, 7) else "",
            "", start, 3 if estimate and estimate < 20 else 5 if estimate else "", sprint,
            "SKLEP Sprint 1" if sprint == "SKLEP Sprint 2" and number in (6, 9) else "", category[status],
            f"05/Feb/27 02:4{number % 10} PM;Marta Wiśniewska;Omówione na spotkaniu statusowym." if number in (8, 9) else "", "",
        ])
    return rows


ACME_REQUESTS = [
    ("Z-1", "Pytanie", "Zwykły", "E-mail", "2027-01-12 09:40", "2027-01-12 10:25", "2027-01-12 15:10", "Marta Wiśniewska", "Kto z ACME bierze udział w wywiadach z klientami?"),
    ("Z-2", "Pytanie", "Niski", "Telefon", "2027-01-14 13:05", "2027-01-14 13:05", "2027-01-14 13:20", "Marta Wiśniewska", "Termin pierwszego spotkania statusowego"),
    ("Z-3", "Incydent", "Wysoki", "E-mail", "2027-01-18 08:20", "2027-01-18 09:30", "2027-01-18 14:00", "Paweł Kamiński", "Brak dostępu do repozytorium z kodem obecnego sklepu"),
    ("Z-4", "Zgłoszenie zmiany", "Zwykły", "Spotkanie", "2027-01-19 10:00", "2027-01-19 11:30", "2027-01-26 16:00", "Marta Wiśniewska", "Dodanie listy życzeń do zakresu koncepcji"),
    ("Z-5", "Pytanie", "Zwykły", "E-mail", "2027-01-21 15:45", "2027-01-22 09:40", "2027-01-22 12:00", "Agnieszka Zając", "Jakie dane sprzedażowe są potrzebne do analizy?"),
    ("Z-6", "Pytanie", "Niski", "Czat", "2027-01-25 11:10", "2027-01-25 11:35", "2027-01-25 11:35", "Tomasz Wójcik", "Czy persony obejmą klientów hurtowych?"),
    ("Z-7", "Zgłoszenie zmiany", "Wysoki", "E-mail", "2027-01-27 14:30", "2027-01-27 16:10", None, "Marta Wiśniewska", "Angielska wersja językowa sklepu od pierwszego wydania"),
    ("Z-8", "Pytanie", "Zwykły", "E-mail", "2027-01-28 09:05", "2027-01-28 11:50", "2027-01-29 10:00", "Paweł Kamiński", "Wymagania sprzętowe środowiska testowego ERP"),
    ("Z-9", "Pytanie", "Zwykły", "E-mail", "2027-02-01 09:15", "2027-02-01 10:40", "2027-02-01 13:30", "Katarzyna Mazur", "Czy makiety będą dostępne także w wersji mobilnej?"),
    ("Z-10", "Incydent", "Krytyczny", "Telefon", "2027-02-02 16:50", "2027-02-02 17:05", "2027-02-03 10:30", "Paweł Kamiński", "Strona testowa zwraca błąd 500 po aktualizacji"),
    ("Z-11", "Pytanie", "Zwykły", "E-mail", "2027-02-03 11:20", "2027-02-03 14:05", "2027-02-04 09:30", "Michał Dąbrowski", "Które bramki płatności bierzecie pod uwagę?"),
    ("Z-12", "Reklamacja", "Wysoki", "E-mail", "2027-02-04 10:20", "2027-02-04 15:40", None, "Marta Wiśniewska", "Brak odpowiedzi w sprawie harmonogramu prac nad integracją ERP"),
    ("Z-13", "Pytanie", "Niski", "Czat", "2027-02-05 13:10", "2027-02-05 13:55", "2027-02-05 13:55", "Tomasz Wójcik", "Prośba o nagranie z warsztatu z personami"),
]


def acme_requests() -> list[list[object]]:
    header = ["Nr", "Rodzaj", "Priorytet", "Kanał", "Wpłynęło", "Pierwsza odpowiedź", "Rozwiązano", "Osoba odpowiedzialna", "Opis"]
    return [header, *[[value or "" for value in row] for row in ACME_REQUESTS]]


# ----------------------------------------------------------------------------- sever-logistics (simple table)

SEVER = [
    ("ТЗ-1", "Обследование процессов отгрузки: интервью с диспетчерами", "Готово", "Дмитрий Соколов", "Агентство", "Техническое задание", "2027-01-11", "2027-01-22", 32, 34, "2027-01-21"),
    ("ТЗ-2", "Описание ролей пользователей портала", "Готово", "Дмитрий Соколов", "Агентство", "Техническое задание", "2027-01-18", "2027-01-27", 16, 18, "2027-01-27"),
    ("ТЗ-3", "Требования к интеграции с 1С", "Готово", "Наталья Павлова", "Агентство", "Техническое задание", "2027-01-20", "2027-02-01", 24, 29, "2027-02-03"),
    ("ТЗ-4", "Выгрузка справочников из 1С для анализа", "Готово", "Игорь Новиков", "Заказчик", "Техническое задание", "2027-01-18", "2027-01-29", None, None, "2027-02-02"),
    ("ТЗ-5", "Черновик технического задания", "Готово", "Дмитрий Соколов", "Агентство", "Техническое задание", "2027-01-25", "2027-02-02", 40, 44, "2027-02-02"),
    ("ТЗ-6", "Глоссарий терминов портала", "Готово", "Дмитрий Соколов", "Агентство", "Техническое задание", "2027-02-01", "2027-02-04", 6, 5, "2027-02-04"),
    ("ТЗ-7", "Согласование ТЗ с отделом логистики", "В работе", "Ирина Смирнова", "Заказчик", "Техническое задание", "2027-02-02", "2027-02-04", None, None, None),
    ("ТЗ-8", "Финальная версия ТЗ с учётом замечаний", "К выполнению", "Дмитрий Соколов", "Агентство", "Техническое задание", "2027-02-08", "2027-02-10", 12, None, None),
    ("ТЗ-9", "Утверждение ТЗ заказчиком", "К выполнению", "Алексей Морозов", "Заказчик", "Техническое задание", "2027-02-10", "2027-02-12", None, None, None),
    ("П-1", "Архитектура решения и выбор платформы", "В работе", "Наталья Павлова", "Агентство", "Пилотная версия", "2027-02-01", "2027-02-12", 40, 26, None),
    ("П-2", "Прототип интерфейса личного кабинета", "К выполнению", "Анна Лебедева", "Агентство", "Пилотная версия", "2027-02-08", "2027-02-26", 48, None, None),
    ("П-3", "Тестовый стенд на стороне заказчика", "К выполнению", "Игорь Новиков", "Заказчик", "Пилотная версия", "2027-02-15", "2027-02-26", None, None, None),
    ("П-4", "Разработка модуля заявок на перевозку", "К выполнению", "Сергей Волков", "Агентство", "Пилотная версия", "2027-02-15", "2027-03-19", 120, None, None),
    ("П-5", "Интеграция с 1С: обмен заявками и статусами", "К выполнению", "Сергей Волков", "Агентство", "Пилотная версия", "2027-03-01", "2027-03-26", 80, None, None),
    ("П-6", "Пилот с тремя грузоотправителями", "К выполнению", "Ирина Смирнова", "Заказчик", "Пилотная версия", "2027-03-29", "2027-04-02", None, None, None),
    ("З-1", "Нагрузочное тестирование", "К выполнению", "Сергей Волков", "Агентство", "Запуск", "2027-04-19", "2027-04-30", 32, None, None),
    ("З-2", "Приёмочные испытания", "К выполнению", "Алексей Морозов", "Заказчик", "Запуск", "2027-05-11", "2027-05-18", None, None, None),
    ("З-3", "Обучение диспетчеров работе в портале", "К выполнению", "Ольга Кузнецова", "Агентство", "Запуск", "2027-05-10", "2027-05-14", 16, None, None),
    ("З-4", "Перенос в промышленную эксплуатацию", "К выполнению", "Наталья Павлова", "Агентство", "Запуск", "2027-05-17", "2027-05-20", 24, None, None),
]

SEVER_REQUESTS = [
    ("О-1", "Вопрос", "Обычный", "Эл. почта", "2027-01-12 10:15", "2027-01-12 11:00", "2027-01-12 16:30", "Ольга Кузнецова", "Состав рабочей группы со стороны агентства"),
    ("О-2", "Вопрос", "Низкий", "Телефон", "2027-01-15 14:20", "2027-01-15 14:20", "2027-01-15 14:40", "Ольга Кузнецова", "Формат еженедельного отчёта"),
    ("О-3", "Инцидент", "Высокий", "Эл. почта", "2027-01-19 09:10", "2027-01-19 12:30", "2027-01-20 11:00", "Наталья Павлова", "Нет доступа к тестовой базе 1С"),
    ("О-4", "Запрос на изменение", "Обычный", "Встреча", "2027-01-20 15:00", "2027-01-21 10:00", "2027-01-28 17:00", "Ольга Кузнецова", "Добавить в портал расчёт стоимости перевозки"),
    ("О-5", "Вопрос", "Обычный", "Эл. почта", "2027-01-25 11:40", "2027-01-25 15:55", "2027-01-26 10:00", "Дмитрий Соколов", "Кто согласует требования к отчётам?"),
    ("О-6", "Запрос на изменение", "Высокий", "Эл. почта", "2027-01-28 16:20", "2027-01-29 10:10", None, "Ольга Кузнецова", "Мобильное приложение для водителей в объёме пилота"),
    ("О-7", "Вопрос", "Обычный", "Чат", "2027-02-01 10:05", "2027-02-01 10:30", "2027-02-01 10:30", "Дмитрий Соколов", "Где посмотреть черновик ТЗ?"),
    ("О-8", "Вопрос", "Обычный", "Эл. почта", "2027-02-01 16:45", "2027-02-02 13:20", "2027-02-02 15:00", "Наталья Павлова", "Поддерживается ли обмен через веб-сервисы 1С?"),
    ("О-9", "Жалоба", "Высокий", "Телефон", "2027-02-02 11:30", "2027-02-03 09:45", None, "Ольга Кузнецова", "Замечания к черновику ТЗ не учтены в новой версии"),
    ("О-10", "Запрос на изменение", "Обычный", "Эл. почта", "2027-02-03 12:00", "2027-02-03 13:10", None, "Ольга Кузнецова", "Отдельная роль для бухгалтерии грузоотправителя"),
    ("О-11", "Вопрос", "Низкий", "Чат", "2027-02-04 15:15", "2027-02-04 15:40", "2027-02-04 15:40", "Дмитрий Соколов", "Ссылка на запись статус-встречи"),
    ("О-12", "Вопрос", "Обычный", "Эл. почта", "2027-02-05 10:30", None, None, "Наталья Павлова", "Требования к серверам для пилота"),
]

SIMPLE_TASK_HEADER = ["id", "title", "status", "owner", "side", "milestone", "start", "due", "estimate_hours", "spent_hours", "done_on"]


def simple_tasks(rows: list[tuple]) -> list[list[object]]:
    return [SIMPLE_TASK_HEADER, *[["" if value is None else value for value in row] for row in rows]]


# ----------------------------------------------------------------------------- harbor-health (simple table)

HARBOR = [
    ("HH-1", "Return the security questionnaire (HIPAA) to Harbor IT", "done", "Harbor IT", "client", "", "2027-01-20", "2027-01-29", None, None, "2027-01-28"),
    ("HH-2", "Kickoff meeting and working agreement", "done", "Tom Becker", "agency", "Discovery report", "2027-02-01", "2027-02-01", 6, 6, "2027-02-01"),
    ("HH-3", "Stakeholder map and interview plan", "done", "Priya Nair", "agency", "Discovery report", "2027-02-01", "2027-02-03", 8, 7, "2027-02-03"),
    ("HH-4", "Give the agency read access to portal analytics", "done", "Dana Whitfield", "client", "Discovery report", "2027-02-01", "2027-02-04", None, None, "2027-02-04"),
    ("HH-5", "Interview guide for patients and front-desk staff", "done", "Priya Nair", "agency", "Discovery report", "2027-02-02", "2027-02-05", 6, 6.5, "2027-02-05"),
    ("HH-6", "Stakeholder interviews (12 sessions)", "in progress", "Priya Nair", "agency", "Discovery report", "2027-02-04", "2027-02-16", 30, 5, ""),
    ("HH-7", "Recruit 8 patients for interviews", "in progress", "Dana Whitfield", "client", "Discovery report", "2027-02-03", "2027-02-10", None, None, ""),
    ("HH-8", "Review of portal analytics and support tickets", "to do", "Sofia Marin", "agency", "Discovery report", "2027-02-08", "2027-02-12", 16, None, ""),
    ("HH-9", "Accessibility audit of the current portal (WCAG 2.2)", "to do", "Lukas Brandt", "agency", "Discovery report", "2027-02-08", "2027-02-17", 20, None, ""),
    ("HH-10", "Patient survey (online, 2 weeks)", "to do", "Priya Nair", "agency", "Discovery report", "2027-02-10", "2027-02-24", 12, None, ""),
    ("HH-11", "Discovery report and recommendations", "to do", "Tom Becker", "agency", "Discovery report", "2027-02-18", "2027-02-26", 24, None, ""),
    ("HH-12", "Sign-off of the discovery report", "to do", "Marcus Lee", "client", "Discovery report", "2027-02-26", "2027-02-26", None, None, ""),
    ("HH-13", "Design principles and visual direction", "to do", "Lukas Brandt", "agency", "Design system", "2027-03-01", "2027-03-12", 32, None, ""),
    ("HH-14", "Component library in Figma", "to do", "Lukas Brandt", "agency", "Design system", "2027-03-15", "2027-04-09", 80, None, ""),
    ("HH-15", "Brand guidelines and approved imagery", "to do", "Dana Whitfield", "client", "Design system", "2027-03-01", "2027-03-19", None, None, ""),
    ("HH-16", "Design system review with Harbor's brand team", "to do", "Tom Becker", "agency", "Design system", "2027-04-19", "2027-04-23", 8, None, ""),
    ("HH-17", "Front-end build of the new patient portal", "to do", "Sofia Marin", "agency", "Portal release", "2027-04-26", "2027-06-04", 160, None, ""),
    ("HH-18", "Integration with the scheduling system (FHIR)", "to do", "Sofia Marin", "agency", "Portal release", "2027-05-03", "2027-06-01", 80, None, ""),
    ("HH-19", "User acceptance testing", "to do", "Dana Whitfield", "client", "Portal release", "2027-06-07", "2027-06-15", None, None, ""),
    ("HH-20", "Release and hypercare", "to do", "Tom Becker", "agency", "Portal release", "2027-06-16", "2027-06-18", 16, None, ""),
]

HARBOR_REQUESTS = [
    ("R-101", "question", "normal", "email", "2027-02-01T11:20-05:00", "2027-02-01T17:45+01:00", "2027-02-02T09:30+01:00", "Tom Becker", "Who joins the stakeholder interviews from the call center?"),
    ("R-102", "question", "low", "chat", "2027-02-02T09:05-05:00", "2027-02-02T15:20+01:00", "2027-02-02T15:20+01:00", "Priya Nair", "Can interviews be held over Teams?"),
    ("R-103", "change", "normal", "meeting", "2027-02-03T10:00-05:00", "2027-02-03T16:30+01:00", None, "Tom Becker", "Add Spanish-speaking patients to the interview sample"),
    ("R-104", "incident", "high", "phone", "2027-02-04T08:40-05:00", "2027-02-04T15:00+01:00", "2027-02-04T17:10+01:00", "Sofia Marin", "Analytics access granted but dashboards show no data"),
    ("R-105", "question", "normal", "email", "2027-02-05T13:15-05:00", "2027-02-08T09:20+01:00", None, "Tom Becker", "Timeline for the accessibility audit findings"),
]

# ----------------------------------------------------------------------------- huaxin-retail (simple table, service log .xlsx)

HUAXIN = [
    ("HX-1", "需求调研：门店会员运营访谈", "已完成", "陈静", "服务方", "需求确认", "2026-09-07", "2026-09-18", 40, 44, "2026-09-18"),
    ("HX-2", "会员权益体系梳理", "已完成", "刘洋", "服务方", "需求确认", "2026-09-14", "2026-09-25", 32, 36, "2026-09-24"),
    ("HX-3", "需求说明书确认", "已完成", "王芳", "客户方", "需求确认", "2026-09-25", "2026-09-30", None, None, "2026-09-30"),
    ("HX-4", "交互原型：积分与优惠券", "已完成", "赵敏", "服务方", "测试版发布", "2026-10-08", "2026-10-23", 48, 56, "2026-10-26"),
    ("HX-5", "小程序前端开发（第一期）", "已完成", "孙磊", "服务方", "测试版发布", "2026-10-12", "2026-11-13", 160, 182, "2026-11-13"),
    ("HX-6", "会员系统接口联调", "已完成", "周杰", "服务方", "测试版发布", "2026-10-26", "2026-11-18", 80, 94, "2026-11-19"),
    ("HX-7", "提供会员历史数据样本", "已完成", "王芳", "客户方", "测试版发布", "2026-10-12", "2026-10-23", None, None, "2026-10-28"),
    ("HX-8", "测试版发布与门店试点", "已完成", "陈静", "服务方", "测试版发布", "2026-11-16", "2026-11-20", 16, 18, "2026-11-20"),
    ("HX-9", "试点反馈问题修复", "已完成", "孙磊", "服务方", "正式上线", "2026-11-23", "2026-12-11", 60, 71, "2026-12-11"),
    ("HX-10", "性能压测（双旦促销场景）", "已完成", "周杰", "服务方", "正式上线", "2026-12-07", "2026-12-18", 24, 27, "2026-12-18"),
    ("HX-11", "小程序审核与发布", "已完成", "陈静", "服务方", "正式上线", "2027-01-04", "2027-01-15", 12, 12, "2027-01-14"),
    ("HX-12", "上线验收", "已完成", "李强", "客户方", "正式上线", "2027-01-13", "2027-01-15", None, None, "2027-01-15"),
    ("HX-13", "项目资料移交（源代码、文档、账号）", "已完成", "陈静", "服务方", "", "2027-01-25", "2027-02-03", 12, 14, "2027-02-03"),
    ("HX-14", "质保期缺陷修复（第一批）", "已完成", "孙磊", "服务方", "", "2027-01-18", "2027-02-02", 24, 30, "2027-02-02"),
    ("HX-15", "质保期缺陷修复（第二批）", "进行中", "孙磊", "服务方", "", "2027-02-01", "2027-02-10", 16, 9, ""),
    ("HX-16", "结项报告", "进行中", "陈静", "服务方", "", "2027-02-01", "2027-02-11", 12, 6, ""),
    ("HX-17", "运维交接培训", "待办", "王芳", "客户方", "", "2027-02-11", "2027-02-19", None, None, ""),
    ("HX-18", "上线后会员数据复盘", "待办", "刘洋", "服务方", "", "2027-02-15", "2027-02-26", 16, None, ""),
]

HUAXIN_REQUESTS = [
    ("S-01", "question", "normal", "email", "2026-09-08 10:30", "2026-09-08 11:15", "2026-09-08 16:00", "陈静", "需求调研访谈的门店名单"),
    ("S-02", "question", "low", "chat", "2026-09-15 14:10", "2026-09-15 14:30", "2026-09-15 14:30", "刘洋", "会员等级规则的现行文件"),
    ("S-03", "change", "normal", "meeting", "2026-09-22 15:00", "2026-09-23 09:40", "2026-09-29 17:00", "陈静", "增加生日礼券功能"),
    ("S-04", "question", "normal", "email", "2026-09-30 16:40", "2026-10-08 09:20", "2026-10-08 11:00", "赵敏", "国庆假期后原型评审时间"),
    ("S-05", "incident", "high", "phone", "2026-10-14 10:05", "2026-10-14 10:20", "2026-10-14 15:30", "周杰", "测试环境无法登录"),
    ("S-06", "question", "normal", "email", "2026-10-21 13:30", "2026-10-21 15:00", "2026-10-22 10:00", "孙磊", "优惠券核销流程确认"),
    ("S-07", "change", "high", "email", "2026-10-29 11:00", "2026-10-29 14:10", "2026-11-06 17:30", "陈静", "积分商城改为二期上线"),
    ("S-08", "complaint", "high", "phone", "2026-11-10 09:30", "2026-11-10 10:15", "2026-11-12 16:00", "陈静", "接口联调进度未及时通报"),
    ("S-09", "question", "normal", "chat", "2026-11-17 10:45", "2026-11-17 11:05", "2026-11-17 11:05", "孙磊", "试点门店的扫码设备型号"),
    ("S-10", "incident", "critical", "phone", "2026-11-21 09:10", "2026-11-21 09:25", "2026-11-21 13:40", "周杰", "试点门店会员积分未到账"),
    ("S-11", "question", "normal", "email", "2026-12-02 15:20", "2026-12-02 17:10", "2026-12-03 10:30", "陈静", "双旦促销活动的上线时间"),
    ("S-12", "change", "normal", "email", "2026-12-09 10:00", "2026-12-09 11:30", "2026-12-15 16:00", "陈静", "首页增加促销横幅位"),
    ("S-13", "question", "low", "chat", "2026-12-23 14:00", "2026-12-23 14:20", "2026-12-23 14:20", "赵敏", "横幅图片尺寸要求"),
    ("S-14", "incident", "high", "phone", "2027-01-16 10:20", "2027-01-16 10:40", "2027-01-16 12:10", "孙磊", "上线首日部分用户无法领券"),
    ("S-15", "question", "normal", "email", "2027-01-20 09:50", "2027-01-20 10:30", "2027-01-21 15:00", "陈静", "质保期服务范围"),
    ("S-16", "question", "normal", "email", "2027-01-27 16:30", "2027-01-28 09:40", "2027-01-28 11:00", "陈静", "资料移交清单"),
    ("S-17", "incident", "normal", "email", "2027-02-01 11:10", "2027-02-01 13:00", "2027-02-02 10:00", "孙磊", "会员卡页面在部分安卓机型上显示异常"),
    ("S-18", "question", "normal", "chat", "2027-02-03 14:25", "2027-02-03 14:50", "2027-02-03 14:50", "陈静", "结项报告的提交时间"),
    ("S-19", "question", "low", "email", "2027-02-04 16:10", "2027-02-04 17:20", None, "刘洋", "春节后会员数据复盘的会议安排"),
]

# ----------------------------------------------------------------------------- decisions and risks

DECISIONS = {
    "acme-shop": (["Nr", "Decyzja", "Potrzebna do", "Osoba odpowiedzialna", "Status"], [
        ["D-1", "Wybór bramki płatności spośród trzech rekomendowanych", "2027-02-19", "Piotr Zieliński", "Otwarta"],
        ["D-2", "Czy angielska wersja sklepu wchodzi do zakresu pierwszego wydania", "2027-02-12", "Piotr Zieliński", "Otwarta"],
        ["D-3", "Zgoda na dostęp agencji do testowego środowiska ERP", "2027-02-03", "Anna Nowak", "Otwarta"],
        ["D-4", "Zakres wywiadów z klientami", "2027-01-15", "Anna Nowak", "Podjęta"],
    ]),
    "sever-logistics": (["№", "Решение", "Нужно до", "Ответственное лицо", "Статус"], [
        ["Р-1", "Утверждение технического задания", "2027-02-12", "Алексей Морозов", "Открыто"],
        ["Р-2", "Включать ли мобильное приложение для водителей в пилот", "2027-02-15", "Алексей Морозов", "Открыто"],
        ["Р-3", "Список трёх грузоотправителей для пилота", "2027-03-01", "Ирина Смирнова", "Открыто"],
    ]),
    "harbor-health": (["id", "decision", "due", "owner", "status"], [
        ["D-1", "Approve the interview sample, including Spanish-speaking patients", "2027-02-10", "Dana Whitfield", "open"],
        ["D-2", "Name a contact in Harbor's brand team for the design system", "2027-02-26", "Marcus Lee", "open"],
    ]),
    "huaxin-retail": (["编号", "决策事项", "最晚决策日期", "负责人", "状态"], [
        ["J-1", "质保期结束后的运维服务方案（续签或移交内部团队）", "2027-02-26", "李强", "待决策"],
        ["J-2", "积分商城二期的启动时间", "2027-03-15", "李强", "待决策"],
        ["J-3", "上线验收结论", "2027-01-15", "李强", "已决策"],
    ]),
}

RISKS = {
    "acme-shop": (["Nr", "Ryzyko", "Prawdopodobieństwo", "Wpływ", "Osoba odpowiedzialna", "Działania zaradcze", "Status"], [
        ["R-1", "Opóźniony dostęp do API ERP przesunie integrację i prototyp", "Wysoki", "Wysoki", "Anna Nowak", "Eskalacja do działu IT ACME; praca na danych przykładowych", "Otwarte"],
        ["R-2", "Rozszerzenie zakresu o wersję angielską bez zmiany budżetu", "Średni", "Wysoki", "Marta Wiśniewska", "Decyzja sponsora do 12 lutego; wycena zmiany", "Otwarte"],
        ["R-3", "Niedostępność zespołu ACME w okresie ferii zimowych", "Średni", "Średni", "Anna Nowak", "Terminy akceptacji uzgodnione z wyprzedzeniem", "Otwarte"],
        ["R-4", "Zmiana dostawcy hostingu w trakcie projektu", "Niski", "Wysoki", "Jan Kowalski", "Środowisko w kontenerach, niezależne od dostawcy", "Otwarte"],
    ]),
    "sever-logistics": (["№", "Риск", "Вероятность", "Влияние", "Ответственное лицо", "Меры реагирования", "Статус"], [
        ["К-1", "Затянувшееся согласование ТЗ сдвинет пилотную версию", "Высокий", "Высокий", "Ирина Смирнова", "Ежедневные созвоны с отделом логистики до утверждения", "Открыт"],
        ["К-2", "Доработка 1С на стороне заказчика не успеет к интеграции", "Средний", "Высокий", "Игорь Новиков", "Согласовать график доработок 1С до 15 февраля", "Открыт"],
        ["К-3", "Мобильное приложение для водителей расширит содержание пилота", "Средний", "Средний", "Ольга Кузнецова", "Оценка запроса на изменение и решение спонсора", "Открыт"],
    ]),
    "harbor-health": (["id", "risk", "probability", "impact", "owner", "mitigation", "status"], [
        ["R-1", "Patient recruitment takes longer than planned", "medium", "medium", "Dana Whitfield", "Recruit through the front desk as well as by e-mail", "open"],
        ["R-2", "Scheduling system vendor is slow to grant FHIR sandbox access", "medium", "high", "Tom Becker", "Request access now, months before the integration starts", "open"],
        ["R-3", "Privacy review of interview recordings", "low", "medium", "Marcus Lee", "Notes instead of recordings where patients prefer", "open"],
    ]),
    "huaxin-retail": (["编号", "风险", "可能性", "影响", "负责人", "应对措施", "状态"], [
        ["F-1", "春节促销期间访问量激增导致小程序响应变慢", "中", "高", "周杰", "节前完成扩容并安排值班", "未关闭"],
        ["F-2", "运维交接不完整，质保期后问题无人跟进", "中", "中", "王芳", "交接培训与运维手册，2月19日前完成", "未关闭"],
        ["F-3", "会员数据迁移后的积分差异", "低", "中", "刘洋", "复盘时抽样核对", "已关闭"],
    ]),
}


def main() -> None:
    sys.path.insert(0, str(ROOT / "lib"))
    from pmworkbook.core.templates import DEMO_PORTFOLIO, Templates
    from pmworkbook.plan.validation import validate
    from pmworkbook.render.service_log import write_service_log

    write_csv("acme-shop-tasks.csv", acme_tasks())
    write_csv("acme-shop-requests.csv", acme_requests())
    write_csv("sever-logistics-tasks.csv", simple_tasks(SEVER))
    write_csv("sever-logistics-requests.csv", [["№", "Тип", "Приоритет", "Канал", "Поступило", "Первый ответ", "Решено",
                                                 "Ответственное лицо", "Суть обращения"],
                                                *[[v or "" for v in row] for row in SEVER_REQUESTS]])
    write_csv("harbor-health-tasks.csv", simple_tasks(HARBOR))
    write_csv("harbor-health-requests.csv", [["id", "kind", "severity", "channel", "received_at", "first_response_at",
                                              "resolved_at", "owner", "summary"], *[[v or "" for v in row] for row in HARBOR_REQUESTS]])
    write_csv("huaxin-retail-tasks.csv", simple_tasks(HUAXIN))
    for client_id, (header, rows) in DECISIONS.items():
        write_csv(f"{client_id}-decisions.csv", [header, *rows])
    for client_id, (header, rows) in RISKS.items():
        write_csv(f"{client_id}-risks.csv", [header, *rows])
    huaxin = validate(DEMO_PORTFOLIO, Templates.get()).portfolio.client("huaxin-retail")
    columns = ("id", "kind", "severity", "channel", "received_at", "first_response_at", "resolved_at", "owner", "summary")
    rows = [{column: (dt.datetime.fromisoformat(value) if column.endswith("_at") and value else value)
             for column, value in zip(columns, row, strict=True)} for row in HUAXIN_REQUESTS]
    write_service_log(huaxin, EXAMPLES / "huaxin-retail-requests.xlsx", Templates.get(), rows)


if __name__ == "__main__":
    main()
