from setuptools import find_packages, setup

from sales_pipeline import __version__ as version

with open("requirements.txt") as f:
	install_requires = [line.strip() for line in f if line.strip() and not line.startswith("#")]

setup(
	name="sales_pipeline",
	version=version,
	description="Leads, opportunities, follow-up reminders and quotations for any Frappe site",
	author="sales_pipeline developers",
	author_email="developers@sales-pipeline.invalid",
	license="MIT",
	packages=find_packages(exclude=["tests", "tests.*"]),
	zip_safe=False,
	include_package_data=True,
	install_requires=install_requires,
	python_requires=">=3.10",
)
